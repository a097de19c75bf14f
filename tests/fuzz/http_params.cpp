// libFuzzer: what a stranger puts in a request's target, form body, Cookie
// and Range headers, through the parsers the routes use.
#include "http/message.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    sayso::http::Request req;
    req.query = sayso::http::parse_params(text);
    req.form = sayso::http::parse_params(text, 8);
    req.headers.emplace_back("cookie", text);
    (void)req.param("next");
    (void)req.has_param("csrf");
    (void)sayso::http::url_decode(text, false);
    (void)sayso::http::cookie(req.header("Cookie"), "sayso_session");
    if (req.query.size() > 256) __builtin_trap(); // the cap holds
    // A Range header, against bodies of a few sizes: a part is always inside the body.
    for (std::size_t body : {std::size_t(0), std::size_t(1), std::size_t(1000), size}) {
        const auto r = sayso::http::byte_range(text, body);
        if (r.ask == sayso::http::ByteRange::Ask::Part && (r.first > r.last || r.last >= body)) __builtin_trap();
    }
    return 0;
}
