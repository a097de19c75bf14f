// What the reports website takes from a request a stranger wrote: the
// filters of a report page, and the page to go to after signing in. Pure
// functions over http::Request, so they are fuzzed (tests/fuzz/report_request.cpp).
#pragma once

#include "http/message.hpp"
#include "views.hpp"

#include <string>

namespace sayso::collector::reports {

// YYYY-MM, digits where digits go.
bool month_like(const std::string& m);

// The filters a page's query asks for: each value at most 80 bytes, months
// only when month-like, the breakdown only a known dimension. `query` gets
// them back as a query string (each value URL-encoded), for the page's links.
Filters filters_of(const http::Request& req, std::string& query);

// Where sign-in goes next: `asked` when it is a page of this site (starts with
// one slash, no second slash or backslash after it, no control byte, at most
// 2000 bytes), else /service. So no tab, backslash or // makes it another host.
std::string after_sign_in(const std::string& asked);

} // namespace sayso::collector::reports
