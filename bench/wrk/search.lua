-- Search the catalogue with a rotating set of queries, with and without diacritics.
local queries = {"dang+ky+khai+sinh", "KHAI+SINH", "gi%E1%BA%A5y+ph%C3%A9p+x%C3%A2y+d%E1%BB%B1ng",
                 "ly+lich+tu+phap", "ho+kinh+doanh", "ket+hon", "", "chung+thuc", "dat+dai", "giay+phep"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", wrk.path .. "?q=" .. queries[(i % #queries) + 1])
end
