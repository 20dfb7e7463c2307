-- GET the VNPAY notifications listed in $BENCH_IPN (one signed query string a line), each
-- thread its own share in order, round and round: the first round confirms, later rounds replay.
local lines = {}
for line in io.lines(os.getenv("BENCH_IPN")) do lines[#lines + 1] = line end
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  local total = tonumber(os.getenv("BENCH_THREADS"))
  local share = math.floor(#lines / total)
  -- replays: only the lines the first round confirmed (the bench passes how many a thread)
  local confirmed = tonumber(os.getenv("BENCH_SHARE") or "0")
  if confirmed > 0 and confirmed < share then share = confirmed end
  first = (id - 1) * share + 1
  last = first + share - 1
  next_line = first
end
local warm = os.getenv("BENCH_WARM") == "1"
request = function()
  local query = lines[next_line]
  if warm then
    -- warming the workers up: a spoilt signature, refused without touching a payment
    return wrk.format("GET", "/thanh-toan/ipn/vnpay/?" .. query .. "0")
  end
  next_line = next_line + 1
  if next_line > last then next_line = first end
  return wrk.format("GET", "/thanh-toan/ipn/vnpay/?" .. query)
end
