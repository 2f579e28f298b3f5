-- IP Messenger (IPMsg) / Feiqiu dissector for Wireshark and tshark, shipped with lanmsg.
--
-- Decodes UDP 2425 (IPMsg and Feiqiu datagrams) and the request header of TCP 2425 file transfers (GETFILEDATA,
-- GETDIRFILES): version, packet number, user, host, command word (mode and option names), text, entry fields
-- (nickname, group, the UTF-8 extension's keys), attachments, the acknowledged packet number, and the parts of
-- Feiqiu's version field (generation, avatar, MAC, group-chat ciphertext length).
--
-- Install: copy to ~/.local/lib/wireshark/plugins/ (Wireshark's personal Lua plugins folder), or load it for one
-- run: tshark -X lua_script:ipmsg.lua -r capture.pcap -Y ipmsg
--
-- The names follow lanmsg's own decoder (src/protocol), which the tests hold this file to.

local ipmsg = Proto("ipmsg", "IP Messenger / Feiqiu")

local MODES = {
  [0x00] = "NOOPERATION", [0x01] = "BR_ENTRY", [0x02] = "BR_EXIT", [0x03] = "ANSENTRY", [0x04] = "BR_ABSENCE",
  [0x10] = "BR_ISGETLIST", [0x11] = "OKGETLIST", [0x12] = "GETLIST", [0x13] = "ANSLIST", [0x14] = "ANSLIST_DICT",
  [0x18] = "BR_ISGETLIST2", [0x20] = "SENDMSG", [0x21] = "RECVMSG", [0x30] = "READMSG", [0x31] = "DELMSG",
  [0x32] = "ANSREADMSG", [0x40] = "GETINFO", [0x41] = "SENDINFO", [0x50] = "GETABSENCEINFO",
  [0x51] = "SENDABSENCEINFO", [0x60] = "GETFILEDATA", [0x61] = "RELEASEFILES", [0x62] = "GETDIRFILES",
  [0x63] = "DIRFILES_AUTH", [0x64] = "DIRFILES_AUTHRET", [0x72] = "GETPUBKEY", [0x73] = "ANSPUBKEY",
  [0xa0] = "AGENT_REQ", [0xa1] = "AGENT_ANSREQ", [0xa2] = "AGENT_PACKET", [0xa3] = "AGENT_PROXYREQ",
  [0xb0] = "DIR_POLL", [0xb1] = "DIR_POLLAGENT", [0xb2] = "DIR_BROADCAST", [0xb3] = "DIR_ANSBROAD",
  [0xb4] = "DIR_PACKET", [0xb5] = "DIR_REQUEST", [0xb6] = "DIR_AGENTPACKET", [0xb7] = "DIR_EVBROAD",
  [0xb8] = "DIR_AGENTREJECT",
  -- Feiqiu's private codes (names are lanmsg's: reverse-engineered, no official names exist)
  [0x09] = "FEIQ_PRESENCE", [0x23] = "FEIQ_GROUPMSG", [0x77] = "FEIQ_OPEN_YOU", [0x78] = "FEIQ_ONLINE",
  [0x79] = "FEIQ_INPUTING", [0x7a] = "FEIQ_INPUT_END", [0xc0] = "FEIQ_SENDIMAGE", [0xc1] = "FEIQ_RECVIMAGE",
  [0xc9] = "FEIQ_GROUP_ANNOUNCE", [0xd1] = "FEIQ_SHAKE", [0xd2] = "FEIQ_ANSSHAKE",
  -- iptux's private codes
  [0xfb] = "IPTUX_SENDMSG", [0xfc] = "IPTUX_SEND_SIGN", [0xfd] = "IPTUX_SENDSUBLAYER", [0xfe] = "IPTUX_SENDICON",
  [0xff] = "IPTUX_ASKSHARED",
}

-- One bit means different things in different command families.
local ENTRY_OPTIONS = {
  [0x00000100] = "ABSENCEOPT", [0x00000200] = "SERVEROPT", [0x00001000] = "CAPFILEENC_OBSLT",
  [0x00010000] = "DIALUPOPT", [0x00040000] = "CAPFILEENCOPT", [0x00200000] = "FILEATTACHOPT",
  [0x00400000] = "ENCRYPTOPT", [0x00800000] = "UTF8OPT", [0x01000000] = "CAPUTF8OPT",
  [0x02000000] = "CAPIPDICTOPT", [0x04000000] = "ENCEXTMSGOPT", [0x08000000] = "CLIPBOARDOPT",
  [0x10000000] = "DIR_MASTER", [0x20000000] = "FLAG_RESV1", [0x40000000] = "FLAG_RESV2",
}
local MESSAGE_OPTIONS = {
  [0x00000100] = "SENDCHECKOPT", [0x00000200] = "SECRETOPT", [0x00000400] = "BROADCASTOPT",
  [0x00000800] = "MULTICASTOPT", [0x00001000] = "NOPOPUPOPT", [0x00002000] = "AUTORETOPT",
  [0x00004000] = "RETRYOPT", [0x00008000] = "PASSWORDOPT", [0x00020000] = "NOLOGOPT",
  [0x00040000] = "NEWMULTIOPT", [0x00080000] = "NOADDLISTOPT", [0x00100000] = "READCHECKOPT",
  [0x00200000] = "FILEATTACHOPT", [0x00400000] = "ENCRYPTOPT", [0x00800000] = "UTF8OPT",
  [0x01000000] = "CAPUTF8OPT", [0x04000000] = "ENCEXTMSGOPT", [0x40000000] = "IPTUX_PASSWDOPT",
  [0x80000000] = "IPTUX_SHAREDOPT",
}
local FILE_REQUEST_OPTIONS = {
  [0x00000400] = "ENCFILE_OBSLT", [0x00000800] = "ENCFILEOPT", [0x00200000] = "FILEATTACHOPT",
  [0x00400000] = "ENCRYPTOPT", [0x00800000] = "UTF8OPT",
}
local FILE_TYPES = {
  [0x01] = "REGULAR", [0x02] = "DIR", [0x03] = "RETPARENT", [0x04] = "SYMLINK", [0x05] = "CDEV", [0x06] = "BDEV",
  [0x07] = "FIFO", [0x10] = "RESFORK", [0x20] = "CLIPBOARD",
}
local UTF8OPT = 0x00800000
local FILEATTACHOPT = 0x00200000
local ENCRYPTOPT = 0x00400000
local ACK_MODES = { [0x21] = true, [0x30] = true, [0x32] = true, [0x61] = true }

local f = ipmsg.fields
f.version = ProtoField.string("ipmsg.version", "Version")
f.packet_no = ProtoField.uint32("ipmsg.packet_no", "Packet number")
f.user = ProtoField.string("ipmsg.user", "User")
f.host = ProtoField.string("ipmsg.host", "Host")
f.command = ProtoField.uint32("ipmsg.command", "Command", base.HEX)
f.mode = ProtoField.uint8("ipmsg.mode", "Mode", base.HEX, MODES)
f.mode_name = ProtoField.string("ipmsg.mode_name", "Mode name")
f.option = ProtoField.string("ipmsg.option", "Option")
f.charset = ProtoField.string("ipmsg.charset", "Charset")
f.text = ProtoField.string("ipmsg.text", "Text")
f.font = ProtoField.string("ipmsg.font", "Feiqiu font")
f.encrypted = ProtoField.bool("ipmsg.encrypted", "Encrypted")
f.nickname = ProtoField.string("ipmsg.nickname", "Nickname")
f.group = ProtoField.string("ipmsg.group", "Group")
f.ext_key = ProtoField.string("ipmsg.ext.key", "Extension key")
f.ext_un = ProtoField.string("ipmsg.ext.un", "UN (user)")
f.ext_hn = ProtoField.string("ipmsg.ext.hn", "HN (host)")
f.ext_nn = ProtoField.string("ipmsg.ext.nn", "NN (nickname)")
f.ext_gn = ProtoField.string("ipmsg.ext.gn", "GN (group)")
f.ext_vs = ProtoField.string("ipmsg.ext.vs", "VS (client version)")
f.ext_other = ProtoField.string("ipmsg.ext.other", "Other extension line")
f.iptux_icon = ProtoField.string("ipmsg.iptux.icon", "iptux icon")
f.iptux_encoding = ProtoField.string("ipmsg.iptux.encoding", "iptux encoding (declared)")
f.ack = ProtoField.uint32("ipmsg.ack", "Acknowledged packet number")
f.file = ProtoField.string("ipmsg.file", "Attachment")
f.file_id = ProtoField.uint32("ipmsg.file.id", "File id")
f.file_name = ProtoField.string("ipmsg.file.name", "File name")
f.file_size = ProtoField.uint64("ipmsg.file.size", "Size")
f.file_mtime = ProtoField.absolute_time("ipmsg.file.mtime", "Modified", base.UTC)
f.file_attr = ProtoField.uint32("ipmsg.file.attr", "Attribute", base.HEX)
f.file_type = ProtoField.string("ipmsg.file.type", "File type")
f.file_ext = ProtoField.string("ipmsg.file.ext", "Extended attribute")
f.req_packet_no = ProtoField.uint32("ipmsg.request.packet_no", "Requested packet number", base.HEX)
f.req_file_id = ProtoField.uint32("ipmsg.request.file_id", "Requested file id", base.HEX)
f.req_offset = ProtoField.uint64("ipmsg.request.offset", "Offset", base.HEX)
f.client = ProtoField.string("ipmsg.client", "Client")
f.feiq_generation = ProtoField.string("ipmsg.feiq.generation", "Feiqiu generation")
f.feiq_avatar = ProtoField.uint32("ipmsg.feiq.avatar", "Feiqiu avatar")
f.feiq_mac = ProtoField.string("ipmsg.feiq.mac", "Feiqiu MAC (group-chat key)")
f.feiq_cipher_len = ProtoField.uint32("ipmsg.feiq.cipher_len", "Group-chat ciphertext length")
f.feiq_part = ProtoField.string("ipmsg.feiq.part", "Version field part")
f.ciphertext = ProtoField.bytes("ipmsg.ciphertext", "Ciphertext")
f.ipdict = ProtoField.uint32("ipmsg.ipdict_len", "IPDict (IP2:) length", base.HEX)
f.ipdict_key = ProtoField.string("ipmsg.ipdict.key", "IPDict key")
f.ipdict_encrypted = ProtoField.string("ipmsg.ipdict.encrypted", "IPDict encrypted key")
f.image_id = ProtoField.string("ipmsg.feiq.image_id", "Feiqiu image id")
f.v2_packet_no = ProtoField.uint64("ipmsg.v2.packet_no", "IpMsg.Net V2 packet number")
f.v2_total = ProtoField.uint32("ipmsg.v2.total_len", "Compressed message length")
f.v2_parts = ProtoField.uint32("ipmsg.v2.parts", "Parts")
f.v2_part = ProtoField.uint32("ipmsg.v2.part", "Part (from 0)")
f.v2_ack = ProtoField.bool("ipmsg.v2.ack", "Acknowledgement asked")
f.v2_data = ProtoField.bytes("ipmsg.v2.data", "gzip data")

local e_truncated = ProtoExpert.new("ipmsg.expert.attachment", "Unreadable attachment record",
  expert.group.MALFORMED, expert.severity.WARN)
ipmsg.experts = { e_truncated }

-- Wireshark 4.0 has Lua 5.2: no utf8 library.
local function valid_utf8(s)
  local i, n = 1, #s
  while i <= n do
    local c = s:byte(i)
    local extra
    if c < 0x80 then extra = 0
    elseif c >= 0xc2 and c <= 0xdf then extra = 1
    elseif c >= 0xe0 and c <= 0xef then extra = 2
    elseif c >= 0xf0 and c <= 0xf4 then extra = 3
    else return false end
    if i + extra > n then return false end
    for k = 1, extra do
      local d = s:byte(i + k)
      if d < 0x80 or d > 0xbf then return false end
    end
    if extra == 2 then
      local d = s:byte(i + 1)
      if (c == 0xe0 and d < 0xa0) or (c == 0xed and d > 0x9f) then return false end
    elseif extra == 3 then
      local d = s:byte(i + 1)
      if (c == 0xf0 and d < 0x90) or (c == 0xf4 and d > 0x8f) then return false end
    end
    i = i + extra + 1
  end
  return true
end

-- Names of the option bits of a command word, in the family of its mode; unknown bits as 0x00000000.
local function option_names(command)
  local mode = command % 256
  local tbl = MESSAGE_OPTIONS
  if mode <= 0x04 then tbl = ENTRY_OPTIONS elseif mode == 0x60 or mode == 0x62 then tbl = FILE_REQUEST_OPTIONS end
  local names = {}
  local bit = 256
  while bit <= 0x80000000 do
    if math.floor(command / bit) % 2 == 1 then
      names[#names + 1] = tbl[bit] or string.format("0x%08X", bit)
    end
    bit = bit * 2
  end
  return names
end

local function has(command, flag)
  return math.floor(command / flag) % 2 == 1
end

-- C atoi(version) == 1, as Windows checks it: leading blanks, '+', zeros; or Feige 5.1's own `5.1.180210`.
local function is_ipmsg_version(v)
  return v:match("^[\t\n\v\f\r ]*%+?0*1%f[^%d]") ~= nil or v:match("^[\t\n\v\f\r ]*%+?0*1$") ~= nil
    or (#v <= 16 and v:match("^5%.1%.%d+$") ~= nil)
end

local function split(s, sep)
  local out, from = {}, 1
  while true do
    local at = s:find(sep, from, true)
    if not at then out[#out + 1] = s:sub(from); return out end
    out[#out + 1] = s:sub(from, at - 1)
    from = at + #sep
  end
end

-- Adds a string field for bytes [from, to] (1-based, inclusive) of the payload in the datagram's charset.
local function add_string(tree, field, tvb, base_offset, from, to, enc)
  local len = to - from + 1
  if len <= 0 then
    return tree:add(field, tvb(base_offset + from - 1, 0), "")
  end
  return tree:add_packet_field(field, tvb(base_offset + from - 1, len), enc)
end

local function dissect_feiqiu_version(tree, tvb, version)
  local parts = split(version, "#")
  local vt = tree:add(f.client, tvb(0, #version), "Feiqiu")
  local gen, avatar = parts[1]:match("^1_(lbt%d*)_?(%d*)")
  if gen then vt:add(f.feiq_generation, tvb(0, #parts[1]), gen) end
  if avatar and avatar ~= "" then vt:add(f.feiq_avatar, tvb(0, #parts[1]), tonumber(avatar)) end
  local offset = 0
  for i, part in ipairs(parts) do
    local range = tvb(offset, #part)
    if i == 3 then vt:add(f.feiq_mac, range, part)
    elseif i == 6 and part:match("^%d+$") then vt:add(f.feiq_cipher_len, range, tonumber(part))
    elseif i > 1 then vt:add(f.feiq_part, range, part) end
    offset = offset + #part + 1
  end
  return parts
end

local function client_of(version)
  if version == "1" then return "IP Messenger" end
  if version:sub(1, 7) == "1_iptux" then return "iptux" end
  if version:match("^5%.1%.%d+$") then return "Feige " .. version end
  if version:sub(1, 7) == "1.feige" then return "Feige" end
  if version:sub(1, 11) == "1@shiyeline" then return "内网通 (shiyeline)" end
  return "unknown"
end

local PLATFORMS = { ["00010001"] = "Win32", ["00010002"] = "Win64", ["00020000"] = "Mac", ["00030000"] = "iOS",
  ["00040000"] = "Android" }

-- Windows' `VS:type:major:minor:rev` (rev: alpha N, beta 50+N, release 100+N) as lanmsg labels it.
local function vs_client(vs)
  local t, major, minor, rev = vs:match("^(%x%x%x%x%x%x%x%x):(%d+):(%d+):(%d+)$")
  if not t then return nil end
  rev = tonumber(rev)
  local tag = rev >= 100 and ("r" .. (rev - 100)) or rev >= 50 and ("b" .. (rev - 50)) or ("a" .. rev)
  return "IP Messenger " .. major .. "." .. minor .. tag .. " (" .. (PLATFORMS[t:upper()] or ("0x" .. t:upper())) .. ")"
end

-- IPDict `key:<hexlen>:value` members (field notes §1.9): the outer keys, EK/EB marked encrypted.
local function dissect_ipdict(tree, tvb, offset, stop)
  local pos, count = offset, 0
  while pos < stop and count < 64 do
    local rest = tvb:raw(pos, math.min(stop - pos, 48))
    local key, hexlen = rest:match("^([^:]+):(%x+):")
    if not key then return end
    local value_at = pos + #key + #hexlen + 2
    local len = tonumber(hexlen, 16)
    if value_at + len > stop then return end
    local kt = tree:add(f.ipdict_key, tvb(pos, value_at + len - pos), key)
    if key == "EK" or key == "EB" then kt:add(f.ipdict_encrypted, tvb(value_at, len), key) end
    pos, count = value_at + len + 1, count + 1
  end
end

-- IpMsg.Net's V2 frame (field notes §2.1): '2', u64 packet number, i32 total, parts, part (little-endian), ack.
local function dissect_v2(tvb, pinfo, tree, proto_name)
  local len = tvb:len()
  if len <= 32 or tvb(0, 1):uint() ~= 0x32 then return 0 end
  local total, parts, part, ack = tvb(9, 4):le_uint(), tvb(13, 4):le_uint(), tvb(17, 4):le_uint(), tvb(21, 1):uint()
  if parts == 0 or parts > 0xffff or part >= parts or ack > 1 or len - 32 > total then return 0 end
  pinfo.cols.protocol = proto_name
  local t = tree:add(ipmsg, tvb(), "IpMsg.Net V2 frame (gzip-compressed)")
  t:add(f.client, tvb(0, 1), "IpMsg.Net")
  t:add_le(f.v2_packet_no, tvb(1, 8))
  t:add_le(f.v2_total, tvb(9, 4))
  t:add_le(f.v2_parts, tvb(13, 4))
  t:add_le(f.v2_part, tvb(17, 4))
  t:add(f.v2_ack, tvb(21, 1), ack == 1)
  t:add(f.v2_data, tvb(32))
  pinfo.cols.info = "IpMsg.Net V2 #" .. tvb(1, 8):le_uint64():tonumber() .. " part " .. (part + 1) .. " of " .. parts
  return len
end

-- Where the nickname, group and UTF-8 extension of an entry body are: (start, end) pairs, 1-based inclusive.
local function entry_parts(body)
  local nuls = {}
  local from = 1
  while #nuls < 4 do
    local at = body:find("\0", from, true)
    if not at then break end
    nuls[#nuls + 1] = at
    from = at + 1
  end
  local function part(i)
    local s = (i == 1) and 1 or (nuls[i - 1] and nuls[i - 1] + 1)
    if not s then return nil end
    local e = nuls[i] and nuls[i] - 1 or #body
    return s, e
  end
  local p = {}
  p.ns, p.ne = part(1)
  local s2, e2 = part(2)
  local s3, e3 = part(3)
  if s3 and body:sub(s3, s3) == "\n" then
    p.gs, p.ge, p.xs, p.xe = s2, e2, s3, e3
  elseif s2 and body:sub(s2, s2) == "\n" then
    p.gs, p.ge, p.xs, p.xe = s2, s2 - 1, s2, e2
  elseif s2 then
    p.gs, p.ge = s2, e2
    -- iptux: `nick\0group\0icon\0encoding\0`; a run of padding NULs is not (lanmsg's rule)
    local s4, e4 = part(4)
    if s4 and (e3 >= s3 or e4 >= s4) then p.is, p.ie, p.es, p.ee = s3, e3, s4, e4 end
  end
  return p
end

-- `nick\0group\0\nUN:…\nHN:…` (or `nick\0\nUN:…`): the legacy fields and the UTF-8 extension's lines.
local function dissect_entry(tree, tvb, base, body, enc, p)
  add_string(tree, f.nickname, tvb, base, p.ns, p.ne, enc)
  if p.gs then
    add_string(tree, f.group, tvb, base, p.gs, p.ge, enc)
  else
    add_string(tree, f.group, tvb, base, p.ne + 1, p.ne, enc) -- no group field: an empty group
  end
  if p.is and p.ie >= p.is then add_string(tree, f.iptux_icon, tvb, base, p.is, p.ie, enc) end
  if p.es and p.ee >= p.es then add_string(tree, f.iptux_encoding, tvb, base, p.es, p.ee, ENC_ISO_8859_1) end
  local ext_s, ext_e = p.xs, p.xe
  if not ext_s then return end
  local ext = body:sub(ext_s, ext_e)
  local pos = ext_s
  for line in (ext .. "\n"):gmatch("([^\n]*)\n") do
    local key = line:match("^([%w_]+):") -- lanmsg's rule: a word, then the colon
    if key and key ~= "__proto__" then
      local value_from, value_to = pos + #key + 1, pos + #line - 1
      local field = ({ UN = f.ext_un, HN = f.ext_hn, NN = f.ext_nn, GN = f.ext_gn, VS = f.ext_vs })[key]
      tree:add(f.ext_key, tvb(base + pos - 1, #key), key)
      add_string(tree, field or f.ext_other, tvb, base, field and value_from or pos, value_to, ENC_UTF_8)
    end
    pos = pos + #line + 1
  end
end

local function is_hex(v, digits)
  return v ~= nil and v:match("^0*%x+$") ~= nil and #(v:gsub("^0*", "")) <= digits and #v > 0
end

-- size:mtime:attr[:ext=val…]: after the name; nil when they do not parse, else the record and the fields skipped.
local function read_tail(id, name, fields)
  local size, mtime, attr = fields[1], fields[2], fields[3]
  if not (is_hex(size, 16) and is_hex(mtime, 16) and is_hex(attr, 8)) then return nil end
  local attr_no = tonumber(attr, 16)
  if attr_no % 256 == 0 then return nil end
  local rec = { id = id, name = name, size = size, mtime = tonumber(mtime, 16), attr = attr_no, ext = {} }
  local skipped = 0
  for k = 4, #fields do
    if fields[k]:match("^%x+=") then rec.ext[#rec.ext + 1] = fields[k]
    elseif fields[k] ~= "" or k < #fields then skipped = skipped + 1 end
  end
  return rec, skipped
end

-- One record as its sender meant it: with `::` escapes when that reads cleanly, else a bare `:` in the name.
local function read_record(record)
  if record:sub(1, 1) == ":" then record = record:sub(2) end
  local id = record:match("^(%d+):")
  if not id or #id > 10 or tonumber(id) > 0xffffffff then return nil end
  local name, i = "", #id + 2
  while true do
    local colon = record:find(":", i, true)
    if not colon then i = nil; break end
    name = name .. record:sub(i, colon - 1)
    if record:sub(colon + 1, colon + 1) == ":" then name = name .. ":"; i = colon + 2 else i = colon + 1; break end
  end
  local escaped, skipped
  if i then escaped, skipped = read_tail(tonumber(id), name, split(record:sub(i), ":")) end
  if escaped and skipped == 0 then return escaped end
  local fields = split(record, ":")
  local last = #fields
  while last > 0 and (fields[last] == "" or fields[last]:match("^%x+=")) do last = last - 1 end
  if last >= 5 then
    local plain, plain_skipped = read_tail(tonumber(id), table.concat(fields, ":", 2, last - 3),
      { fields[last - 2], fields[last - 1], fields[last], table.unpack(fields, last + 1) })
    if plain and plain_skipped == 0 then return plain end
  end
  return escaped
end

-- The attachment list: `id:name:size:mtime:attr[:ext=val…]:` records, each ended by \a.
local function dissect_attachments(tree, tvb, base, body, from, to, enc)
  local pos = from
  while pos <= to do
    local stop = body:find("\a", pos, true)
    if not stop or stop > to then stop = to + 1 end
    local record = body:sub(pos, stop - 1)
    if record ~= "" and record ~= ":" then
      local item = tvb(base + pos - 1, #record)
      local rec = read_record(record)
      if rec then
        local lead = record:sub(1, 1) == ":" and 1 or 0 -- `\a:` between records (iptux)
        local name_at = pos + record:find(":", lead + 1, true) -- body index of the name's first byte
        local name_range = tvb(base + name_at - 1, #rec.name)
        if rec.name:find(":", 1, true) then
          -- `::` unescaped: not the bytes as sent, so decoded from a copy (TvbRange:string cuts multibyte text)
          name_range = ByteArray.new(rec.name, true):tvb("File name"):range()
        end
        local ft = tree:add_packet_field(f.file, name_range, enc)
        ft:add(f.file_id, item, rec.id)
        ft:add_packet_field(f.file_name, name_range, enc)
        ft:add(f.file_size, item, UInt64.fromhex(rec.size))
        ft:add(f.file_mtime, item, NSTime.new(rec.mtime, 0))
        ft:add(f.file_attr, item, rec.attr)
        ft:add(f.file_type, item, FILE_TYPES[rec.attr % 256] or string.format("0x%02X", rec.attr % 256))
        for _, ext in ipairs(rec.ext) do ft:add(f.file_ext, item, ext) end
      else
        tree:add_proto_expert_info(e_truncated, "not id:name:size:mtime:attr: " .. record:gsub("%c", "?"))
      end
    end
    pos = stop + 1
  end
end

local function dissect_message(tvb, pinfo, tree, proto_name)
  local len = tvb:len()
  if len == 0 then return 0 end
  local bytes = tvb:raw(0, len)
  if bytes:byte(1) == 0x32 and dissect_v2(tvb, pinfo, tree, proto_name) > 0 then return len end
  if bytes:sub(1, 4) == "IP2:" then
    pinfo.cols.protocol = proto_name
    local t = tree:add(ipmsg, tvb(), "IP Messenger IPDict (IP2:), no classic header")
    local hexlen = bytes:match("^IP2:(%x+):")
    if hexlen then
      t:add(f.ipdict, tvb(4, #hexlen), tonumber(hexlen, 16))
      dissect_ipdict(t, tvb, 5 + #hexlen, math.min(len, 5 + #hexlen + tonumber(hexlen, 16)))
    end
    t:add(f.client, tvb(0, 4), "IP Messenger 4.5+")
    pinfo.cols.info = "IPDict (IP2:)"
    return len
  end

  local colons = {}
  local from = 1
  while #colons < 5 do
    local at = bytes:find(":", from, true)
    if not at then return 0 end
    colons[#colons + 1] = at
    from = at + 1
  end
  local version = bytes:sub(1, colons[1] - 1)
  local packet_no = bytes:sub(colons[1] + 1, colons[2] - 1)
  local command_s = bytes:sub(colons[4] + 1, colons[5] - 1)
  if not is_ipmsg_version(version) or not packet_no:match("^%d+$") or not command_s:match("^%d+$") then return 0 end
  local command = tonumber(command_s)
  if #packet_no > 10 or #command_s > 10 or command > 0xffffffff or tonumber(packet_no) > 0xffffffff then return 0 end
  local mode = command % 256
  local feiqiu = version:sub(1, 5) == "1_lbt"
  local body_start = colons[5] + 1
  local body = bytes:sub(body_start)
  local entry = mode <= 0x04
  local parts = entry and entry_parts(body) or nil

  -- lanmsg's rule (field notes §5): UTF8OPT → UTF-8; Feiqiu → GBK; valid UTF-8 → UTF-8; otherwise GB18030.
  local enc, charset = ENC_UTF_8, "utf-8"
  if not has(command, UTF8OPT) then
    if feiqiu then
      enc, charset = ENC_GB18030, "gbk"
    else
      local legacy = bytes:sub(colons[2] + 1, colons[4] - 1) .. body
      if parts and parts.xs then legacy = bytes:sub(colons[2] + 1, colons[4] - 1) .. body:sub(1, parts.xs - 1) .. body:sub(parts.xe + 1) end
      if not valid_utf8(legacy) then enc, charset = ENC_GB18030, "gb18030" end
    end
  end

  pinfo.cols.protocol = proto_name
  local t = tree:add(ipmsg, tvb(), "IP Messenger")
  t:add(f.version, tvb(0, #version), version)
  local client = client_of(version)
  if version == "1" and parts and parts.xs then
    local vs = nil
    for line in body:sub(parts.xs, parts.xe):gmatch("\nVS:([^\n]*)") do vs = line end
    client = vs and vs_client(vs) or client
  end
  if feiqiu then dissect_feiqiu_version(t, tvb, version) else t:add(f.client, tvb(0, #version), client) end
  t:add(f.packet_no, tvb(colons[1], #packet_no), tonumber(packet_no))
  add_string(t, f.user, tvb, 0, colons[2] + 1, colons[3] - 1, enc)
  add_string(t, f.host, tvb, 0, colons[3] + 1, colons[4] - 1, enc)
  local ct = t:add(f.command, tvb(colons[4], #command_s), command)
  local mode_name = MODES[mode] or string.format("0x%02X", mode)
  ct:add(f.mode, tvb(colons[4], #command_s), mode)
  ct:add(f.mode_name, tvb(colons[4], #command_s), mode_name)
  local options = option_names(command)
  for _, name in ipairs(options) do ct:add(f.option, tvb(colons[4], #command_s), name) end
  ct:append_text(" (" .. mode_name .. (#options > 0 and ("|" .. table.concat(options, "|")) or "") .. ")")
  t:add(f.charset, tvb(0, 0), charset):set_generated()

  local base = colons[5] -- tvb offset of body byte 1 is base (0-based)
  local info = mode_name .. " #" .. packet_no
  if entry then
    -- Feige and 内网通 write other fields where iptux puts its icon and encoding (lanmsg: extraParts).
    local other = client_of(version)
    if other:sub(1, 5) == "Feige" or other:find("shiyeline", 1, true) then parts.is, parts.es = nil, nil end
    dissect_entry(t, tvb, base, body, enc, parts)
  elseif (mode == 0x23 or mode == 0xc9) and feiqiu then
    local vparts = split(version, "#")
    local n = tonumber(vparts[6] or "") or #body
    if n > #body or n == 0 then n = #body end
    t:add(f.ciphertext, tvb(base, n))
    t:add(f.encrypted, tvb(base, n), true)
    info = info .. " group chat (Blowfish, key " .. (vparts[3] or "?") .. ")"
  else
    local nul = body:find("\0", 1, true)
    local first_end = nul and nul - 1 or #body
    local text_start, text_end = 1, first_end
    if mode == 0xc0 and has(command, FILEATTACHOPT) and #body >= 8 then
      -- Feiqiu image (field notes §2.2): the first 8 bytes are the image id, the text follows.
      add_string(t, f.image_id, tvb, base, 1, 8, enc)
      local after = body:find("\0", 9, true)
      text_start, text_end = 9, after and after - 1 or #body
      info = info .. " image"
    elseif mode == 0x20 and has(command, ENCRYPTOPT) then
      t:add(f.encrypted, tvb(base, 0), true)
    elseif mode == 0x20 then
      local first = body:sub(1, first_end)
      local at = nil
      if first:sub(-1) == "}" then
        local s = 1
        while true do
          local found = first:find("{/font;", s, true)
          if not found then break end
          at = found; s = found + 1
        end
        if at and first:find("}", at, true) ~= #first then at = nil end
      end
      if at then
        text_end = at - 1
        add_string(t, f.font, tvb, base, at, first_end, enc)
      end
    end
    local ti = add_string(t, f.text, tvb, base, text_start, text_end, enc)
    local first = body:sub(1, first_end)
    if ACK_MODES[mode] and first:match("^%-?%d+$") and #first <= 11 then
      local n = tonumber(first)
      if n >= -0x80000000 and n <= 0xffffffff then
        if n < 0 then n = n + 0x100000000 end
        t:add(f.ack, tvb(base, #first), n)
        info = info .. " ack #" .. n
      end
    end
    if (mode == 0x60 or mode == 0x62) then
      local pno, fid, off = first:match("^(%x+):(%x+):?(%x*)")
      if pno then
        t:add(f.req_packet_no, tvb(base, #pno), tonumber(pno, 16))
        t:add(f.req_file_id, tvb(base + #pno + 1, #fid), tonumber(fid, 16))
        if off ~= "" then t:add(f.req_offset, tvb(base + #pno + #fid + 2, #off), UInt64.fromhex(off)) end
      end
    end
    if mode == 0x20 and has(command, FILEATTACHOPT) and nul then
      local list_end = body:find("\0", nul + 1, true)
      dissect_attachments(t, tvb, base, body, nul + 1, list_end and list_end - 1 or #body, enc)
    end
  end
  pinfo.cols.info = info
  return len
end

function ipmsg.dissector(tvb, pinfo, tree)
  return dissect_message(tvb, pinfo, tree, "IPMsg")
end

-- TCP 2425 carries file data too: only a segment that starts with an IPMsg header is a request.
local ipmsg_tcp = Proto("ipmsg_tcp", "IP Messenger file transfer")
function ipmsg_tcp.dissector(tvb, pinfo, tree)
  return dissect_message(tvb, pinfo, tree, "IPMsg/TCP")
end

-- Clients can be told to use another port (lanmsg --port): Edit › Preferences › Protocols › IPMSG, or
-- tshark -o ipmsg.udp_ports:2425,2426 (TCP follows: file transfers use the UDP port's number).
ipmsg.prefs.udp_ports = Pref.range("UDP ports", "2425", "UDP ports of IPMsg (TCP file requests use the same)", 65535)
local registered = "2425"
DissectorTable.get("udp.port"):add(registered, ipmsg)
DissectorTable.get("tcp.port"):add(registered, ipmsg_tcp)

function ipmsg.prefs_changed()
  local ports = tostring(ipmsg.prefs.udp_ports)
  if ports == registered then return end
  DissectorTable.get("udp.port"):remove(registered, ipmsg)
  DissectorTable.get("tcp.port"):remove(registered, ipmsg_tcp)
  registered = ports
  DissectorTable.get("udp.port"):add(registered, ipmsg)
  DissectorTable.get("tcp.port"):add(registered, ipmsg_tcp)
end
