-- GET the signed-in applicant's pages listed in $BENCH_PATHS (one a line), at random,
-- with the session cookie in $BENCH_COOKIE.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local cookie = os.getenv("BENCH_COOKIE")
math.randomseed(os.time())
request = function()
  return wrk.format("GET", paths[math.random(#paths)], { ["Cookie"] = cookie })
end
