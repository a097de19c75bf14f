// libFuzzer: sayso-admin import on any JSON (a SurveyJS survey from a web
// tool an admin downloaded). The promise: it never crashes, and the pack it
// makes always has the shape the loader reads: one band, question ids of
// a-z 0-9 - alone and never twice, a known kind, 2 to 12 options where a kind
// has them, each option's id unique, and every text an object of strings.
#include "import.hpp"

#include "pack/pack.hpp"

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

namespace {

using json = nlohmann::json;

void promise(bool kept) {
    if (!kept) std::abort();
}

bool id_like(const std::string& s) {
    if (s.empty() || s.size() > 48) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

bool text_like(const json& t) {
    if (!t.is_object() || t.empty()) return false;
    for (const auto& [lang, s] : t.items())
        if (lang.empty() || !s.is_string()) return false;
    return true;
}

const json& base() {
    static const json b = {{"languages", {"en"}},
                           {"words", {{"start", {{"en", "Start"}}}, {"skip", {{"en", "Skip"}}}}},
                           {"visit_types", {{{"id", "visit"}, {"label", {{"en", "Visit"}}}}}},
                           {"bands", {{{"picture", "pictures/b.png"}}}}};
    return b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const json survey = json::parse(data, data + size, nullptr, false);
    if (survey.is_discarded()) return 0;
    sayso::admin::ImportOptions o;
    o.id = "fuzzed";
    const auto made = sayso::admin::import_surveyjs(survey, base(), o);
    for (const auto& n : made.notes)
        promise(n.path.rfind("$", 0) == 0);
    if (made.pack.is_null()) return 0;
    promise(text_like(made.pack["title"]));
    const json& langs = made.pack["languages"];
    promise(langs.is_array() && !langs.empty());
    const json& bands = made.pack["bands"];
    promise(bands.is_array() && bands.size() == 1);
    std::set<std::string> ids;
    for (const auto& q : bands[0]["questions"]) {
        const std::string id = q["id"];
        promise(id_like(id) && ids.insert(id).second);
        promise(text_like(q["text"]));
        const std::string kind = q["kind"];
        promise(kind == "faces" || kind == "yes_no" || kind == "pick_one" || kind == "pick_many" || kind == "text");
        if (kind == "faces") promise(q["scale"] == 3 || q["scale"] == 5);
        if (kind == "pick_one" || kind == "pick_many") {
            const json& opts = q["options"];
            promise(opts.size() >= 2 && opts.size() <= sayso::pack::kMaxOptions);
            std::set<std::string> oids;
            for (const auto& op : opts) {
                promise(id_like(op["id"]) && oids.insert(op["id"]).second);
                promise(text_like(op["label"]));
            }
        }
    }
    (void)made.pack.dump(); // what import writes
    return 0;
}
