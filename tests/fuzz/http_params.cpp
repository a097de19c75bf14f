// libFuzzer: what a stranger puts in a request's target, form body and
// Cookie header, through the parsers every route uses.
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
    return 0;
}
