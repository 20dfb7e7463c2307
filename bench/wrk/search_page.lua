-- The citizen's search page (full HTML), rotating queries.
local queries = {"dang+ky+khai+sinh", "KHAI+SINH", "ly+lich+tu+phap", "ho+kinh+doanh", "ket+hon"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", wrk.path .. "?q=" .. queries[(i % #queries) + 1])
end
