// libFuzzer: what the reports website reads from a request anyone can send
// (reports/requests.hpp): a page's query string, a form, a cookie header, and
// the page to go to after sign-in. Lines of the input: the query, the form
// body, the Cookie header. Besides crashes, it checks what the functions
// promise, and stops on the first input that breaks a promise.
#include "requests.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

void promise(bool kept) {
    if (!kept) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sayso;
    namespace reports = sayso::collector::reports;
    const std::string in(reinterpret_cast<const char*>(data), size);
    const auto first = in.find('\n');
    const auto second = first == std::string::npos ? std::string::npos : in.find('\n', first + 1);
    const std::string query = in.substr(0, first);
    const std::string form = first == std::string::npos ? "" : in.substr(first + 1, second - first - 1);
    const std::string cookies = second == std::string::npos ? "" : in.substr(second + 1);
    http::Request req;
    req.query = http::parse_params(query);
    req.form = http::parse_params(form);
    req.headers.emplace_back("cookie", cookies);

    std::string links;
    const auto f = reports::filters_of(req, links);
    for (const auto* v : {&f.service_area, &f.visit_type, &f.band, &f.practitioner_code, &f.month_from, &f.month_to})
        promise(v->size() <= 80);
    promise(f.month_from.empty() || reports::month_like(f.month_from));
    promise(f.month_to.empty() || reports::month_like(f.month_to));
    const auto& dims = reports::breakdown_dimensions();
    promise(std::find(dims.begin(), dims.end(), f.by) != dims.end());
    // The links' query string carries nothing that could end an attribute or a header.
    promise(links.find_first_of("\"'<> \r\n\t#") == std::string::npos);

    const std::string next = reports::after_sign_in(req.param("next"));
    promise(!next.empty() && next[0] == '/' && next.rfind("//", 0) != 0 && next.find('\\') == std::string::npos);
    promise(std::none_of(next.begin(), next.end(),
                         [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }));

    (void)http::cookie(req.header("cookie"), "sayso_session");
    return 0;
}
