// What the report pages show, as data: every figure counted in the database
// (report_answers and report_responses, see index.hpp), cut by the filters
// and the reader's role, with small numbers suppressed.
#pragma once

#include "keys.hpp"
#include "store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sayso::collector::reports {

// No figure built from fewer children than this is shown.
inline constexpr int kMinGroup = 5;
// Every count shown is rounded to the nearest multiple of this.
inline constexpr int kRoundTo = 5;

// Statistical disclosure control (SECURITY.md): local recoding to cells of
// at least `threshold` children (recode.hpp), so that no difference of
// figures is about fewer; on top of it, a figure about fewer than `threshold`
// children is hidden, and every count shown is rounded to the nearest
// multiple of `round_to`, with percentages made from the rounded counts.
struct Protection {
    int threshold = kMinGroup;
    int round_to = kRoundTo;
    bool none_at_all = false;
    bool exact_counts = false;
    bool recoded = true; // figures from the published cells (report_recode), not the finest ones
    Protection() = default;
    Protection(int t) : threshold(t) {} // a threshold, recoded and rounded as published
    Protection(int t, int r) : threshold(t), round_to(r) {}
    // Every figure as counted, nothing recoded, hidden or rounded: for tests
    // that check the counting itself, and play the attacker against the
    // truth. Anything else is raised to at least kMinGroup and kRoundTo but
    // by unrounded() (hidden, not recoded or rounded) and exact() (recoded,
    // hidden, not rounded), which tests of the counting use, and
    // without_recoding() (hidden and rounded), the method before recoding,
    // for the attacker test to show what recoding adds.
    static Protection none() {
        Protection p(1, 1);
        p.none_at_all = true;
        p.recoded = false;
        return p;
    }
    static Protection unrounded(int t = kMinGroup) {
        Protection p(t, 1);
        p.exact_counts = true;
        p.recoded = false;
        return p;
    }
    static Protection without_recoding() {
        Protection p;
        p.recoded = false;
        return p;
    }
    static Protection exact(int t = kMinGroup) {
        Protection p(t, 1);
        p.exact_counts = true;
        return p;
    }
};

// What a reader may see: an admin everything; a manager the responses of
// their service area; a practitioner only responses carrying their own code;
// anything else (a role no one knows) nothing.
enum class Role { None, Admin, Manager, Practitioner };
// By the words the users table, the forms and the command line use:
// "admin", "manager", "practitioner"; anything else is Role::None.
Role role_named(const std::string& words);
const char* role_name(Role role); // "admin"... ("none" for Role::None)

struct Reader {
    std::string name;
    Role role = Role::None;
    std::string service_area;
    std::string practitioner_code;
    Reader() = default;
    Reader(std::string n, Role r, std::string area, std::string code)
        : name(std::move(n)), role(r), service_area(std::move(area)), practitioner_code(std::move(code)) {}
    Reader(std::string n, const std::string& r, std::string area, std::string code)
        : Reader(std::move(n), role_named(r), std::move(area), std::move(code)) {}
};

struct Filters {
    std::string service_area, visit_type, band, practitioner_code, month_from, month_to; // empty: any
    std::string by = "band"; // the breakdown's dimension: service_area, visit_type, band, practitioner_code, month
};

// A figure over a group of answers. When fewer than the threshold of
// children are in the group, `suppressed` is set and nothing else is shown.
struct Figure {
    bool suppressed = false;
    std::int64_t children = 0;
    std::int64_t answers = 0; // all answers, skips included
    std::int64_t positive = 0, middling = 0, negative = 0, skipped = 0;
    std::int64_t other = 0; // answered, but not a rating (pictures picked)
};

// A survey pack at one version.
struct PackVersion {
    std::string id, version;
    bool operator==(const PackVersion&) const = default;
};

struct MeasureFigure {
    std::string measure;
    Figure figure;
};

struct Counts {
    bool suppressed = false;
    std::int64_t responses = 0, children = 0, complete = 0;
};

struct Comment {
    std::string month, band, visit_type, service_area, text;
};

struct ServiceView {
    int threshold = kMinGroup;
    int round_to = kRoundTo;
    std::vector<MeasureFigure> measures;                            // every measure, by id
    std::vector<std::string> months;                                // ascending
    std::map<std::string, std::map<std::string, Figure>> trend;     // measure -> month -> figure
    std::vector<std::string> groups;                                // the breakdown's rows (values of `by`)
    std::map<std::string, std::map<std::string, Figure>> breakdown; // group -> measure -> figure
    std::map<std::string, Counts> group_counts;                     // group -> responses and children
    Counts counts;                                                  // the whole filtered set
    // For admins: answers whose sealing key was not held when they were
    // indexed, by key id, so a lost key is seen and restored.
    std::vector<std::pair<std::string, std::int64_t>> unopened;
    std::map<std::string, Counts> month_counts; // month -> responses, children, complete
    bool comments_shown = false;                // the group is large enough for its words to be shown
    std::vector<Comment> comments;              // newest first, up to 200
    // measure -> the packs and versions its answers come from, each named only
    // when it holds answers of at least `threshold` children; measures
    // sharing an id add up.
    std::map<std::string, std::vector<PackVersion>> sources;
};

// Each measure's figure over everything the filters and the reader allow.
Stored<std::vector<MeasureFigure>> measure_figures(Store& store, const Reader& reader, const Filters& filters,
                                                   Protection protect);
Stored<ServiceView> service_view(Store& store, const Reader& reader, const Filters& filters, Protection protect,
                                 const std::vector<SealKeyPair>& keys);
// The same, with more connections to the same store: its sections are counted at once, one per connection.
Stored<ServiceView> service_view(Store& store, const std::vector<Store*>& more, const Reader& reader,
                                 const Filters& filters, Protection protect, const std::vector<SealKeyPair>& keys);

// One child's responses (by case reference), or a family's: every answer as stored.
struct ChildAnswer {
    std::string question_id, kind, measure;
    int position = 0;
    bool skipped = false;
    std::vector<std::string> options;
    std::string text;
    std::string unopened;  // why a sealed answer can't be opened; empty when it could
    std::string clip_type; // a drawing (image/png) or recording travels with it; its bytes are fetched on their own
};
struct ChildResponse {
    std::string id, case_ref, started_at, visit_type, band, pack_id, language, service_area, practitioner_code;
    bool complete = false, asked_to_talk = false;
    std::vector<ChildAnswer> answers;
    std::string pack_version; // the version the child answered: its questions are shown as they were
    std::string visit_id;     // shared with brothers and sisters who answered in the same visit; may be empty
};
enum class Access { Allowed, Denied, NotFound };
struct ChildView {
    Access access = Access::NotFound;
    std::vector<ChildResponse> responses;
};
// Responses for these case references the reader may see, safeguarding flags
// first, then newest first. Denied when there are responses but none the
// reader may see (or, for a manager or practitioner, none at all).
Stored<ChildView> child_view(Store& store, const Reader& reader, const std::vector<std::string>& case_refs,
                             const std::vector<SealKeyPair>& keys);

// A child's drawing or recording, for a reader who may see its response (the
// same rule as the child view): its type and bytes, opened with the keys.
// NotFound when there is no such answer or it has no clip; Denied when the
// reader may not see the response; `unopened` says why a sealed one can't be opened.
struct ClipView {
    Access access = Access::NotFound;
    std::string type, bytes, unopened;
};
Stored<ClipView> clip_view(Store& store, const Reader& reader, const std::string& response_id,
                           const std::string& question_id, const std::vector<SealKeyPair>& keys);

// A family's case references and responses, as this reader may see them: an
// admin sees every case grouped under the reference; anyone else only the cases
// with responses they may read, and is Denied when there are none, so that a
// reference no one used and one out of their reach are refused alike.
struct FamilyView {
    Access access = Access::NotFound;
    std::vector<std::string> cases;
    std::vector<ChildResponse> responses;
    // Brothers and sisters who answered in one of those responses' visits
    // without a case reference (the next child of a visit), as the reader may see them.
    std::vector<ChildResponse> siblings;
};
Stored<FamilyView> family_view(Store& store, const Reader& reader, const std::string& family_ref,
                               const std::vector<SealKeyPair>& keys);
Stored<void> set_family(Store& store, const std::string& case_ref, const std::string& family_ref);

// "You said, we did": what changed, against a measure; also sent to the
// tablets of its service area ("" every area), in its language (publish.hpp).
struct WeDid {
    std::int64_t seq = 0;
    std::string measure, you_said, we_did, created_at, created_by;
    std::string service_area, language;
    Figure figure; // what children said on that measure, within the reader's view
};
Stored<std::vector<WeDid>> we_did_list(Store& store, const Reader& reader, Protection protect);
struct NewWeDid {
    std::string measure, you_said, we_did, service_area, language;
};
Stored<void> add_we_did(Store& store, const NewWeDid& entry, const std::string& by);
// Takes an entry off the page and off the tablets (at their next look); false when there was none.
Stored<bool> remove_we_did(Store& store, std::int64_t seq);

// The service view's breakdowns, by the column each groups on.
const std::vector<std::string>& breakdown_dimensions();

} // namespace sayso::collector::reports
