-- Track random dossiers among those the seed wrote to $BENCH_CODES.
local codes = {}
for line in io.lines(os.getenv("BENCH_CODES")) do codes[#codes + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", wrk.path .. codes[math.random(#codes)])
end
