-- Submit a dossier with one small PDF per required component; the body was prepared by bench/seed.py.
local dir = os.getenv("BENCH_CODES"):gsub("codes.txt$", "")
local f = assert(io.open(dir .. "submit_body.bin", "rb"))
local body = f:read("*a")
f:close()
local ct = assert(io.open(dir .. "submit_content_type.txt", "r")):read("*l")
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = ct
