// HTTP requests and replies as the collector's and the reports' handlers see
// them, and the small parsers of what a stranger sends in them (query
// strings, forms, cookies). Nothing here knows of sockets.
#pragma once

#include <any>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sayso::http {

using Params = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method;                                       // GET, POST...
    std::string target;                                       // as sent: the path and any query
    std::string path;                                         // the target up to '?'
    std::vector<std::pair<std::string, std::string>> headers; // names in lower case, in arrival order
    std::string body;
    std::string remote_addr;      // the client's address (an IPv4-mapped one as IPv4); behind a trusted proxy, the one
                                  // the proxy says it served (X-Forwarded-For)
    std::string remote_key;       // what per-address limits count: the address, or its /64 for IPv6
    bool forwarded_https = false; // a trusted proxy took it over HTTPS (X-Forwarded-Proto)
    Params query;                 // from the target, decoded
    Params form;                  // from an application/x-www-form-urlencoded body, decoded
    std::any state;               // what a route's gate found, for its handler (e.g. the device a token names)

    // The first header of that name (any case), or "".
    std::string header(std::string_view name) const;
    // A parameter from the query, else from the form; "" when it is neither.
    bool has_param(std::string_view name) const;
    std::string param(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    void set_header(std::string name, std::string value); // replaces one of the same name
    std::string header(std::string_view name) const;
    void set_content(std::string content, std::string type);
};

// What a Range header asks of a body of `size` bytes. Only one range of
// bytes is served in part ("bytes=0-99", "bytes=100-", "bytes=-50"); no
// header, another unit, several ranges or anything malformed get the whole
// body (a server may ignore Range); a range that starts past the end can't be
// satisfied. `first` and `last` are inclusive, `last` kept inside the body.
struct ByteRange {
    enum class Ask { Whole, Part, Unsatisfiable } ask = Ask::Whole;
    std::size_t first = 0, last = 0;
};
ByteRange byte_range(std::string_view header, std::size_t size);
// `body` as the answer to `req`: 200 with all of it, 206 with the part its
// Range header asks for, or 416; each saying ranges of bytes are served.
void set_ranged_content(const Request& req, Response& res, std::string body, std::string type);

// Percent-decoding; '+' reads as a space when `plus_is_space` (forms and
// queries). A malformed escape is kept as written.
std::string url_decode(std::string_view text, bool plus_is_space);
// a=1&b=2 into pairs, decoded; at most `max_pairs` are read, the rest ignored.
Params parse_params(std::string_view text, std::size_t max_pairs = 256);
// The value of cookie `name` in a Cookie header, or "".
std::string cookie(std::string_view header, std::string_view name);
// A peer's address as written in logs, and the key per-address limits count
// it under: an IPv4-mapped IPv6 address is its IPv4 address; any other IPv6
// address counts under its /64 network, written like 2001:db8:1:2::/64.
struct PeerAddress {
    std::string address, key;
};
PeerAddress peer_address(const std::string& written);
// Header values compared as HTTP does: ASCII case-insensitively.
bool iequals(std::string_view a, std::string_view b);

} // namespace sayso::http
