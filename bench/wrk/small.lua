-- wrk script for the small signed call: cycles through pre-signed bodies (bench/.data/wrk_small.txt,
-- one per line, each with its own orderNo; made by gen_data.py), so no SHA-1 runs in Lua and each
-- request() is one table lookup. Run from bench/.data (the file is opened relative to it).
-- No response() callback: it would make wrk parse every body in Lua and slow it down; the
-- `code` of each answer is checked by bench/loadgen instead.
local requests = {}
local n, i = 0, 0

function init(args)
   local headers = { ["Content-Type"] = "application/json" }
   for line in io.lines("wrk_small.txt") do
      n = n + 1
      requests[n] = wrk.format("POST", "/api/paas/idcardocrapp", headers, line)
   end
end

function request()
   i = i + 1
   if i > n then i = 1 end
   return requests[i]
end
