#include "import.hpp"

#include "pack/pack.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

namespace sayso::admin {

namespace {

using json = nlohmann::json;

constexpr std::uintmax_t kMaxSurveyBytes = 4u << 20; // 4 MiB: far more than any survey's JSON
constexpr int kMaxDepth = 16;                        // panels inside panels

// An id the pack format takes: lower-case letters, digits, - and _, from any value.
std::string id_of(const std::string& value) {
    std::string out;
    for (unsigned char c : value) {
        if (std::isalnum(c))
            out += static_cast<char>(std::tolower(c));
        else if (!out.empty() && out.back() != '-')
            out += '-';
        if (out.size() >= 40) break;
    }
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out.empty() ? "q" : out;
}

// A choice's or rate value's value as text: SurveyJS takes strings and numbers.
std::string value_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) return v.dump();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    return "";
}

// A field read as SurveyJS means it, whatever the file holds instead: true
// only for true; a string or a whole number only when it is one.
bool flag(const json& o, const char* key) {
    return o.is_object() && o.contains(key) && o[key].is_boolean() && o[key].get<bool>();
}
std::string string_of(const json& o, const char* key) {
    return o.is_object() && o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : "";
}
long long whole_of(const json& o, const char* key, long long otherwise) {
    if (!o.is_object() || !o.contains(key) || !o[key].is_number_integer()) return otherwise;
    return std::clamp<long long>(o[key].get<long long>(), -1'000'000, 1'000'000);
}

class Importer {
  public:
    Importer(const json& survey, const json& base, const ImportOptions& options)
        : survey_(survey), base_(base), options_(options) {}

    Imported run() {
        Imported out;
        if (!survey_.is_object()) {
            note("$", "is not a SurveyJS survey (a JSON object with \"pages\" or \"elements\")");
            out.notes = std::move(notes_);
            return out;
        }
        default_lang_ =
            survey_.contains("locale") && survey_["locale"].is_string() && !survey_["locale"].get<std::string>().empty()
                ? survey_["locale"].get<std::string>()
                : "en";
        collect_languages(survey_, 0);
        languages_.erase(default_lang_);

        json questions = json::array();
        if (survey_.contains("pages") && survey_["pages"].is_array()) {
            for (std::size_t i = 0; i < survey_["pages"].size(); ++i) {
                const json& page = survey_["pages"][i];
                const std::string p = "$.pages[" + std::to_string(i) + "]";
                if (page.is_object() && page.contains("elements"))
                    elements(page["elements"], p + ".elements", questions, 0);
                if (page.is_object() && page.contains("questions"))
                    elements(page["questions"], p + ".questions", questions, 0);
            }
        }
        for (const char* key : {"elements", "questions"})
            if (survey_.contains(key)) elements(survey_[key], std::string("$.") + key, questions, 0);
        if (questions.empty()) note("$", "holds no question the kiosk can ask");
        for (const char* key : {"completedHtml", "completedHtmlOnCondition", "triggers", "calculatedValues"})
            if (survey_.contains(key))
                note(std::string("$.") + key,
                     "not kept: the kiosk ends with its own thank-you and asks every question");

        json langs = json::array({default_lang_});
        for (const auto& l : languages_)
            langs.push_back(l);
        json drafts = json::array();
        for (const auto& d : base_.value("drafts", json::array()))
            if (d.is_string() && languages_.count(d.get<std::string>())) drafts.push_back(d);

        // The survey's title, else (none in a language it names) the pack's id.
        json title = survey_.contains("title") ? text(survey_["title"]) : json::object();
        if (title.empty()) title = {{default_lang_, options_.id}};
        json band = {
            {"id", std::to_string(options_.min_age) + "-" + std::to_string(options_.max_age)},
            {"label", same_in_all(std::to_string(options_.min_age) + "\u2013" + std::to_string(options_.max_age))},
            {"min_age", options_.min_age},
            {"max_age", options_.max_age},
            {"picture", "pictures/band.png"},
            {"questions", questions}};
        out.pack = {{"format", 1},
                    {"id", options_.id},
                    {"version", "0.1.0"},
                    {"title", title},
                    {"languages", langs},
                    {"drafts", drafts},
                    {"visit_types", base_texts(base_.value("visit_types", json::array()), "label")},
                    {"words", base_words()},
                    // "I want to talk to someone" as the pack the words come from offers it.
                    {"talk_button", flag(base_, "talk_button")},
                    {"bands", json::array({band})}};
        out.notes = std::move(notes_);
        return out;
    }

  private:
    void note(const std::string& path, const std::string& words) { notes_.push_back({path, words}); }

    // Every locale a localizable string names ({"default": ..., "pl": ...}).
    void collect_languages(const json& j, int depth) {
        if (depth > kMaxDepth) return;
        if (j.is_object()) {
            for (const auto& [k, v] : j.items()) {
                if ((k == "title" || k == "text" || k == "description" || k == "labelTrue" || k == "labelFalse") &&
                    v.is_object())
                    for (const auto& [lang, s] : v.items())
                        if (s.is_string() && lang != "default" && valid_lang(lang)) languages_.insert(lang);
                collect_languages(v, depth + 1);
            }
        } else if (j.is_array()) {
            for (const auto& v : j)
                collect_languages(v, depth + 1);
        }
    }

    static bool valid_lang(const std::string& l) {
        return !l.empty() && l.size() <= 16 && std::all_of(l.begin(), l.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        });
    }

    // A localizable string as a pack text: "default" is the survey's own locale.
    json text(const json& v) const {
        json out = json::object();
        if (v.is_string()) {
            out[default_lang_] = v.get<std::string>();
        } else if (v.is_object()) {
            for (const auto& [lang, s] : v.items()) {
                if (!s.is_string()) continue;
                const std::string l = lang == "default" ? default_lang_ : lang;
                if (valid_lang(l) && (l == default_lang_ || languages_.count(l))) out[l] = s.get<std::string>();
            }
        }
        return out;
    }

    json same_in_all(const std::string& s) const {
        json out = {{default_lang_, s}};
        for (const auto& l : languages_)
            out[l] = s;
        return out;
    }

    // The base pack's texts, in the survey's languages only.
    json keep_languages(const json& t) const {
        json out = json::object();
        if (!t.is_object()) return out;
        for (const auto& [lang, s] : t.items())
            if (lang == default_lang_ || languages_.count(lang)) out[lang] = s;
        return out;
    }

    json base_texts(const json& list, const char* field) const {
        json out = json::array();
        for (const auto& x : list) {
            json y = x;
            if (x.contains(field)) y[field] = keep_languages(x[field]);
            out.push_back(y);
        }
        return out;
    }

    json base_words() const {
        json out = json::object();
        const json words = base_.value("words", json::object());
        for (const auto& [key, t] : words.items())
            out[key] = keep_languages(t);
        return out;
    }

    // The question's text: its title, else its name, as SurveyJS shows it.
    json title_of(const json& q) const {
        if (q.contains("title")) {
            json t = text(q["title"]);
            if (!t.empty()) return t;
        }
        return json::object({{default_lang_, q.contains("name") ? value_text(q["name"]) : std::string("?")}});
    }

    // The options of a choice question, or an empty array (having said why).
    json options_of(const json& q, const std::string& path, const char* field) {
        json out = json::array();
        if (!q.contains(field) || !q[field].is_array()) return out;
        std::set<std::string> ids;
        for (std::size_t i = 0; i < q[field].size(); ++i) {
            const json& c = q[field][i];
            const json value = c.is_object() ? c.value("value", json()) : c;
            const std::string v = value_text(value);
            if (v.empty()) {
                note(path + "." + field + "[" + std::to_string(i) + "]", "a choice with no value; left out");
                continue;
            }
            std::string id = id_of(v);
            for (int n = 2; ids.count(id); ++n)
                id = id_of(v) + "-" + std::to_string(n);
            ids.insert(id);
            json label = c.is_object() && c.contains("text") ? text(c["text"]) : json::object();
            if (label.empty()) label = json::object({{default_lang_, v}});
            out.push_back({{"id", id}, {"label", label}});
        }
        return out;
    }

    void elements(const json& list, const std::string& path, json& out, int depth) {
        if (!list.is_array()) return;
        for (std::size_t i = 0; i < list.size(); ++i)
            element(list[i], path + "[" + std::to_string(i) + "]", out, depth);
    }

    void element(const json& q, const std::string& p, json& out, int depth) {
        if (!q.is_object() || !q.contains("type") || !q["type"].is_string()) {
            note(p, "not a SurveyJS element (no \"type\"); left out");
            return;
        }
        const std::string type = q["type"];
        const std::string name = q.contains("name") ? value_text(q["name"]) : "";
        const std::string what = type + (name.empty() ? "" : " \"" + name + "\"");
        if (type == "panel") {
            if (depth >= kMaxDepth) return note(p, "panels nested too deep; left out");
            return elements(q.value("elements", json::array()), p + ".elements", out, depth + 1);
        }
        for (const char* cond : {"visibleIf", "enableIf", "requiredIf"})
            if (q.contains(cond))
                note(p + "." + cond,
                     what + ": its condition is not kept; the kiosk asks every question, and any can be skipped");
        if (flag(q, "isRequired"))
            note(p + ".isRequired", what + ": asked, but not required: a child may skip any question on the kiosk");

        json made = {{"id", unique_id(name.empty() ? type : name)}, {"text", title_of(q)}};
        if (type == "rating") {
            const bool own_values = q.contains("rateValues") && q["rateValues"].is_array() && !q["rateValues"].empty();
            if (own_values && string_of(q, "rateType") != "smileys") {
                made["kind"] = "pick_one";
                made["options"] = options_of(q, p, "rateValues");
                note(p, what + ": a rating with its own values becomes a pick-one of them");
            } else {
                long long steps = own_values ? static_cast<long long>(q["rateValues"].size()) : 5;
                if (!own_values && q.contains("rateCount") && q["rateCount"].is_number_integer())
                    steps = whole_of(q, "rateCount", 5);
                else if (!own_values && (q.contains("rateMin") || q.contains("rateMax")))
                    steps = whole_of(q, "rateMax", 5) - whole_of(q, "rateMin", 1) + 1;
                made["kind"] = "faces";
                made["scale"] = steps <= 4 ? 3 : 5;
                if (steps != 3 && steps != 5)
                    note(p, what + ": a rating of " + std::to_string(steps) + " steps becomes " +
                                (steps <= 4 ? "3" : "5") + " faces");
            }
        } else if (type == "boolean") {
            made["kind"] = "yes_no";
            if (q.contains("labelTrue") || q.contains("labelFalse"))
                note(p, what + ": its own labels are not kept; the kiosk's yes, not sure and no are shown");
        } else if (type == "radiogroup" || type == "dropdown" || type == "checkbox" || type == "tagbox") {
            made["kind"] = type == "checkbox" || type == "tagbox" ? "pick_many" : "pick_one";
            made["options"] = options_of(q, p, "choices");
            for (const char* extra : {"hasOther", "showOtherItem", "hasComment", "showCommentArea"})
                if (flag(q, extra))
                    note(p + "." + extra, what + ": no \"other, please say\" box on the kiosk; left out");
            for (const char* extra : {"hasNone", "showNoneItem", "hasSelectAll", "showSelectAllItem"})
                if (flag(q, extra))
                    note(p + "." + extra, what + ": its extra \"none\" or \"select all\" choice is left out");
            if (q.contains("choicesByUrl") || q.contains("choicesFromQuestion"))
                note(p, what + ": choices from elsewhere are not fetched; only those written in it are kept");
        } else if (type == "comment" || type == "text") {
            made["kind"] = "text";
            if (const long long most = whole_of(q, "maxLength", 0); most > 0)
                made["max_length"] = std::min<long long>(most, 2000);
            if (type == "text" && q.contains("inputType") && q["inputType"] != "text")
                note(p, what + ": asks for " + value_text(q["inputType"]) + "; the kiosk takes words");
        } else if (type == "html" || type == "image" || type == "expression") {
            note(p, what + ": shown, not asked; the kiosk has no such screen; left out");
            return;
        } else {
            note(p, what + ": the kiosk has no kind of question like it; left out");
            return;
        }
        // A choice, however it was asked (a rating's own values too), holds what a kiosk screen can.
        if (made.contains("options")) {
            const std::size_t n = made["options"].size();
            if (n < 2 || n > pack::kMaxOptions) {
                note(p, what + ": has " + std::to_string(n) + (n == 1 ? " choice" : " choices") +
                            "; a kiosk question takes 2 to " + std::to_string(pack::kMaxOptions) + "; left out");
                return;
            }
        }
        out.push_back(std::move(made));
    }

    std::string unique_id(const std::string& name) {
        std::string id = id_of(name);
        for (int n = 2; ids_.count(id); ++n)
            id = id_of(name) + "-" + std::to_string(n);
        ids_.insert(id);
        return id;
    }

    const json& survey_;
    const json& base_;
    const ImportOptions& options_;
    std::string default_lang_;
    std::set<std::string> languages_; // besides the default
    std::set<std::string> ids_;
    std::vector<ImportNote> notes_;
};

std::optional<json> read_json(const std::filesystem::path& file, std::string& why) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) {
        why = "can't read " + file.string() + ": " + ec.message();
        return std::nullopt;
    }
    if (size > kMaxSurveyBytes) {
        why = file.string() + " is " + std::to_string(size) + " bytes; a survey's JSON is at most " +
              std::to_string(kMaxSurveyBytes) + "";
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    json j = json::parse(ss.str(), nullptr, false);
    if (j.is_discarded()) {
        why = file.string() + " is not JSON";
        return std::nullopt;
    }
    return j;
}

} // namespace

Imported import_surveyjs(const json& survey, const json& base, const ImportOptions& options) {
    Imported out = Importer(survey, base, options).run();
    if (base.contains("bands") && base["bands"].is_array() && !base["bands"].empty() &&
        base["bands"][0].contains("picture") && base["bands"][0]["picture"].is_string())
        out.band_picture = options.words_from / base["bands"][0]["picture"].get<std::string>();
    return out;
}

int import_command(const std::filesystem::path& file, const std::filesystem::path& out, ImportOptions options) {
    auto say = [](const std::string& words, int code) {
        std::cerr << "sayso-admin: " << words << "\n";
        return code;
    };
    std::string why;
    const auto survey = read_json(file, why);
    if (!survey) return say(why + "; nothing was written", 2);
    const auto base = read_json(options.words_from / "pack.json", why);
    if (!base) return say("the pack to take kiosk words from: " + why + "; nothing was written", 2);
    if (std::filesystem::exists(out / "pack.json"))
        return say(out.string() + " already holds a pack; nothing was written", 2);
    if (options.id.empty()) options.id = id_of(std::filesystem::absolute(out).filename().string());
    const Imported made = import_surveyjs(*survey, *base, options);
    for (const auto& n : made.notes)
        std::cout << file.string() << ":" << n.path << ": " << n.words << "\n";
    if (made.pack.is_null()) return say("nothing was written", 2);

    std::error_code ec;
    std::filesystem::create_directories(out / "pictures", ec);
    if (!ec && !made.band_picture.empty())
        std::filesystem::copy_file(made.band_picture, out / "pictures" / "band.png",
                                   std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) return say("can't write " + out.string() + ": " + ec.message(), 1);
    {
        std::ofstream o(out / "pack.json", std::ios::binary | std::ios::trunc);
        o << made.pack.dump(2) << "\n";
        if (!o) return say("can't write " + (out / "pack.json").string(), 1);
    }
    const auto loaded = pack::load_pack(out);
    for (const auto& p : loaded.problems)
        std::cout << p.str() << "\n";
    if (!loaded.ok())
        return say("the draft pack in " + out.string() + " does not load yet (above); fix it before use", 1);
    return say("draft pack \"" + options.id + "\" written to " + out.string() + ": " +
                   std::to_string(loaded.pack->bands[0].questions.size()) + " questions in " +
                   std::to_string(loaded.pack->languages.size()) +
                   " language(s); check its words with a person, add pictures, then validate and sign it",
               0);
}

} // namespace sayso::admin
