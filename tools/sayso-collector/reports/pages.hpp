// The report pages as HTML (no JavaScript; charts as inline SVG; A4 print
// styles) and their CSV downloads, from the data in views.hpp. The HTML is
// written by the templates in templates/ (render.hpp), which escape every value.
#pragma once

#include "indexer.hpp"
#include "pack/pack.hpp"
#include "store.hpp"
#include "users.hpp"
#include "views.hpp"
#include "vocabulary.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sayso::collector::reports {

// A value for a URL's query: letters, digits and - _ . ~ as they are, the rest as %XX.
std::string url_encode(const std::string& value);
// "fewer than 5" for a suppressed figure.
std::string fewer_than(int threshold);

// `form_token`: the sign-in form's token, the same as its cookie's, so a
// sign-in can't be forged from another site.
std::string login_page(const std::string& next, const std::string& problem, const std::string& form_token);
std::string message_page(const Session* session, const std::string& title, const std::string& words);

// Every page names measures, areas, visit types, bands and packs in `words` (the packs' own).
// `counting`: how the background index stands (responses still to be added, or why they can't be).
std::string service_page(const Session& s, const Vocabulary& words, const ServiceView& v, const Filters& f,
                         const std::string& query, const IndexStatus& counting = {});
std::string service_csv(const Vocabulary& words, const ServiceView& v, const std::string& table);

std::string child_page(const Session& s, const Vocabulary& words, const std::string& case_ref,
                       const std::vector<ChildResponse>& responses, Access access);
// `siblings`: brothers and sisters who answered in the same visits without a case reference.
std::string family_page(const Session& s, const Vocabulary& words, const std::string& family_ref,
                        const std::vector<std::string>& cases, const std::vector<ChildResponse>& responses,
                        Access access, const std::vector<ChildResponse>& siblings = {});
std::string responses_csv(const Vocabulary& words, const std::vector<ChildResponse>& responses);

// What an admin chooses from when adding to "you said, we did".
struct WeDidChoices {
    std::vector<std::string> measures, service_areas, languages;
};
std::string we_did_page(const Session& s, const Vocabulary& words, const std::vector<WeDid>& entries,
                        const WeDidChoices& choices, int threshold);
std::string we_did_csv(const Vocabulary& words, const std::vector<WeDid>& entries, int threshold);

std::string audit_page(const Session& s, const std::vector<AuditEntry>& entries);

struct UserRow {
    Reader user;
    bool disabled = false;
};
// `areas`: the service areas a manager can be given (the packs' and the tablets').
std::string users_page(const Session& s, const Vocabulary& words, const std::vector<UserRow>& users,
                       const std::vector<std::string>& areas, const std::string& message, bool problem);

} // namespace sayso::collector::reports
