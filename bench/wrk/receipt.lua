-- Render receipts (form 01 PDF, WeasyPrint) of random dossiers through their signed links.
local urls = {}
local path = os.getenv("BENCH_CODES"):gsub("codes.txt$", "receipts.txt")
for line in io.lines(path) do urls[#urls + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", urls[math.random(#urls)])
end
