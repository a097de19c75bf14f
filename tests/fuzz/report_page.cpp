// libFuzzer: every report page filled with values an attacker chose (a case
// reference, a child's words, a question or option id, a user's name, an audit
// line, filter values, a "we did" entry with its service area and language,
// a brother or sister on a family page). Lines of the input are the values.
// The promise: a value never becomes markup. Each page is drawn twice, once
// with the values as given and once with their < > & " ' made plain letters;
// both must hold the same number of < and " (every one the template's own).
// The first byte picks the page, so each input draws one page twice.
#include "pages.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

namespace reports = sayso::collector::reports;

void promise(bool kept) {
    if (!kept) std::abort();
}

std::string page_of(unsigned which, const std::vector<std::string>& v) {
    auto at = [&](std::size_t i) { return v.empty() ? std::string() : v[i % v.size()]; };
    reports::Session s{"", at(0), reports::Reader{at(1), reports::Role::Admin, at(2), at(3)}};
    reports::ChildResponse r{at(4), at(5), at(6), at(7), at(8), at(9), at(10), at(11), at(12), false, true, {}};
    r.visit_id = at(71);
    r.answers.push_back({at(13), "text", at(14), 0, false, {}, at(15), ""});
    r.answers.push_back({at(16), "pick_many", at(17), 1, false, {at(18), at(19)}, "", ""});
    r.answers.push_back({at(20), "face", at(21), 2, true, {}, "", ""});
    r.answers.push_back({at(22), "face", at(23), 3, false, {}, "", at(24)});

    reports::ServiceView sv;
    sv.measures.push_back({at(25), reports::Figure{false, 7, 9, 3, 2, 1, 2, 1}});
    sv.measures.push_back({at(26), reports::Figure{true}});
    sv.months = {at(27), "2026-10"};
    sv.trend[at(25)][at(27)] = reports::Figure{false, 6, 6, 6, 0, 0, 0, 0};
    sv.trend[at(25)]["2026-10"] = reports::Figure{false, 6, 6, 1, 2, 3, 0, 0};
    sv.groups = {at(28), "*"};
    sv.breakdown[at(28)][at(25)] = reports::Figure{false, 5, 5, 5, 0, 0, 0, 0};
    sv.group_counts[at(28)] = reports::Counts{false, 5, 5, 5};
    sv.counts = reports::Counts{false, 10, 8, 7};
    sv.unopened.push_back({at(29), 3});
    sv.month_counts[at(27)] = reports::Counts{false, 5, 5, 4};
    sv.comments_shown = true;
    sv.comments.push_back({at(30), at(31), at(32), at(33), at(34)});
    sv.sources[at(25)] = {{at(62), at(63)}, {"", at(64)}};
    reports::Filters f{at(35), at(36), at(37), at(38), at(39), at(40), "band"};

    reports::WeDid wd{
        1, at(41), at(42), at(43), at(44), at(45), at(66), at(67), reports::Figure{false, 5, 5, 4, 1, 0, 0, 0}};
    std::vector<reports::UserRow> users = {{reports::Reader{at(46), reports::Role::Manager, at(47), at(48)}, false}};
    std::vector<sayso::collector::AuditEntry> audit = {{at(49), at(50), at(51), at(52)}};
    const reports::Vocabulary words; // no packs: every id an attacker chose is shown as its own name
    switch (which % 9) {
    case 0: return reports::login_page(at(53), at(54), at(55));
    case 1: return reports::message_page(&s, at(56), at(57));
    case 2: return reports::service_page(s, words, sv, f, at(58));
    case 3: return reports::child_page(s, words, at(5), {r}, reports::Access::Allowed);
    case 4: return reports::child_page(s, words, at(5), {}, reports::Access::NotFound);
    case 5: {
        reports::ChildResponse sibling = r;
        sibling.case_ref.clear();
        sibling.visit_id = at(68);
        return reports::family_page(s, words, at(59), {at(5)}, {r}, reports::Access::Allowed, {sibling});
    }
    case 6: return reports::we_did_page(s, words, {wd}, {{at(41), at(60)}, {at(66), at(69)}, {at(67), at(70)}}, 5);
    case 7: return reports::users_page(s, words, users, {at(47), at(65)}, at(61), true);
    default: return reports::audit_page(s, audit);
    }
}

std::size_t markup(const std::string& page) {
    return static_cast<std::size_t>(std::count(page.begin(), page.end(), '<') +
                                    std::count(page.begin(), page.end(), '"'));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const unsigned which = data[0];
    const std::string in(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::vector<std::string> values, plain;
    std::size_t from = 0;
    while (from <= in.size() && values.size() < 64) {
        const auto end = std::min(in.find('\n', from), in.size());
        values.push_back(in.substr(from, end - from));
        from = end + 1;
    }
    for (std::string v : values) {
        for (char& c : v)
            if (c == '<' || c == '>' || c == '&' || c == '"' || c == '\'') c = 'x';
        plain.push_back(v);
    }
    promise(markup(page_of(which, values)) == markup(page_of(which, plain)));
    return 0;
}
