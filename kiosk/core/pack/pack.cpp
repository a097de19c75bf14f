#include "pack/pack.hpp"
#include "recording/take.hpp"
#include "tasks/frame_guard.hpp"

#include "formats/formats.hpp"
#include "formats/utf8.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>
#include <stb/stb_image.h>

namespace sayso::pack {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string& Text::get(const std::string& lang, const std::string& fallback) const {
    static const std::string empty;
    if (auto it = by_lang.find(lang); it != by_lang.end()) return it->second;
    if (auto it = by_lang.find(fallback); it != by_lang.end()) return it->second;
    return empty;
}

const char* kind_name(Kind k) {
    switch (k) {
    case Kind::Faces: return "faces";
    case Kind::YesNo: return "yes_no";
    case Kind::PickOne: return "pick_one";
    case Kind::PickMany: return "pick_many";
    case Kind::FreeText: return "text";
    case Kind::Draw: return "draw";
    case Kind::Voice: return "voice";
    }
    return "?";
}

const char* tone_name(Tone t) {
    switch (t) {
    case Tone::None: return "none";
    case Tone::Negative: return "negative";
    case Tone::Middling: return "middling";
    case Tone::Positive: return "positive";
    }
    return "?";
}

std::optional<Tone> tone_from_name(const std::string& name) {
    for (Tone t : {Tone::None, Tone::Negative, Tone::Middling, Tone::Positive})
        if (name == tone_name(t)) return t;
    return std::nullopt;
}

Tone Question::tone(const std::vector<std::string>& picked) const {
    if (picked.size() != 1) return Tone::None;
    const Option* o = option(picked.front());
    return o ? o->tone : Tone::None;
}

const Option* Question::option(const std::string& oid) const {
    for (const auto& o : options)
        if (o.id == oid) return &o;
    return nullptr;
}

const Band* Pack::band(const std::string& bid) const {
    for (const auto& b : bands)
        if (b.id == bid) return &b;
    return nullptr;
}

std::pair<int, int> Pack::ages() const {
    if (bands.empty()) return {0, 0};
    std::pair<int, int> out{bands.front().min_age, bands.front().max_age};
    for (const auto& b : bands)
        out = {std::min(out.first, b.min_age), std::max(out.second, b.max_age)};
    return out;
}

const VisitType* Pack::visit_type(const std::string& vid) const {
    for (const auto& v : visit_types)
        if (v.id == vid) return &v;
    return nullptr;
}

const Measure* Pack::measure(const std::string& mid) const {
    for (const auto& m : measures)
        if (m.id == mid) return &m;
    return nullptr;
}

const ServiceArea* Pack::service_area(const std::string& aid) const {
    for (const auto& a : service_areas)
        if (a.id == aid) return &a;
    return nullptr;
}

const std::string& Pack::word(const Band& b, const std::string& key, const std::string& lang) const {
    if (auto it = b.words.find(key); it != b.words.end()) return text(it->second, lang);
    if (auto it = words.find(key); it != words.end()) return text(it->second, lang);
    static const std::string empty;
    return empty;
}

std::filesystem::path Pack::clip(const Band& b, const std::string& key, const std::string& lang) const {
    tasks::blocking("looking for a recorded clip");
    if (std::find(languages.begin(), languages.end(), lang) == languages.end()) return {};
    // Ids, languages and keys are checked at load to be plain names; a clip
    // must still not lead out of the pack through a link.
    std::error_code ec;
    const auto root = std::filesystem::weakly_canonical(dir, ec);
    for (const auto& folder : {dir / "audio" / lang / b.id, dir / "audio" / lang})
        for (const char* ext : {".ogg", ".wav"}) {
            const auto file = folder / (key + ext);
            if (!std::filesystem::is_regular_file(file, ec)) continue;
            const auto real = std::filesystem::weakly_canonical(file, ec);
            const auto rel = real.lexically_relative(root);
            if (!ec && !rel.empty() && *rel.begin() != "..") return real;
        }
    return {};
}

const std::vector<std::string>& required_words() {
    static const std::vector<std::string> keys = {
        "welcome",     "welcome_note", "start",         "skip",       "back",      "next",       "thanks",
        "thanks_note", "finish",       "still_there",   "still_here", "type_here", "stop",       "yes",
        "not_sure",    "no",           "face.very_sad", "face.sad",   "face.ok",   "face.happy", "face.very_happy",
    };
    return keys;
}

const std::vector<std::string>& optional_words() {
    static const std::vector<std::string> keys = {
        "talk",          "talk_done", "language",     "read_aloud",  "text_size", "high_contrast", "easy_font",
        "less_motion",   "done",      "pick_sticker", "record",      "recording", "listen",        "try_again",
        "no_microphone", "with_name", "without_name", "you_told_us", "so_we",     "next_child",
    };
    return keys;
}

const std::vector<std::string>& name_words() {
    static const std::vector<std::string> keys = {"with_name", "without_name"};
    return keys;
}

const std::vector<std::string>& voice_words() {
    static const std::vector<std::string> keys = {"record", "recording", "listen", "try_again", "no_microphone"};
    return keys;
}

std::string Problem::str() const {
    std::string s = file + (path.empty() ? "" : ":" + path) + ": ";
    if (severity == Severity::Warning) s += "warning: ";
    return s + message;
}

std::size_t LoadResult::errors() const {
    return static_cast<std::size_t>(std::count_if(
        problems.begin(), problems.end(), [](const Problem& p) { return p.severity == Problem::Severity::Error; }));
}

namespace {

std::string shown(const std::string& s) {
    std::string cut = s.size() > 60 ? s.substr(0, 60) + "..." : s;
    return "\"" + cut + "\"";
}

std::string type_name(const json& j) {
    switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "a list";
    case json::value_t::string: return "text";
    case json::value_t::boolean: return "true/false";
    case json::value_t::number_float: return "a decimal number";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "a number";
    default: return "something else";
    }
}

class Loader {
  public:
    explicit Loader(fs::path dir) : dir_(std::move(dir)), file_((dir_ / "pack.json").string()) {}

    LoadResult run() {
        LoadResult result;
        auto pack = std::make_shared<Pack>();
        pack->dir = dir_;
        if (read_document()) parse_pack(*pack);
        for (const auto& lang : pack->languages) {
            std::error_code ec;
            if (fs::is_directory(dir_ / "audio" / lang, ec)) pack->recorded.insert(lang);
        }
        result.problems = std::move(problems_);
        if (result.errors() == 0) result.pack = std::move(pack);
        return result;
    }

  private:
    fs::path dir_;
    std::string file_;
    fs::path root_; // canonical pack folder
    json doc_;
    std::vector<Problem> problems_;
    std::vector<std::string> languages_;
    bool measures_declared_ = false;       // the pack has $.measures: every question's measure is in it
    std::set<std::string> measure_ids_;    // declared in $.measures
    std::map<std::string, Tone> tones_[2]; // the kiosk's own answers: [0] faces, [1] yes_no

    void error(const std::string& path, const std::string& msg) {
        problems_.push_back({Problem::Severity::Error, file_, path, msg});
    }
    void warn(const std::string& path, const std::string& msg) {
        problems_.push_back({Problem::Severity::Warning, file_, path, msg});
    }

    bool read_document() {
        std::error_code ec;
        if (!fs::is_directory(dir_, ec)) {
            error("$", "the pack folder " + shown(dir_.string()) + " does not exist or is not a folder");
            return false;
        }
        root_ = fs::weakly_canonical(dir_, ec);
        const fs::path p = dir_ / "pack.json";
        auto st = fs::status(p, ec);
        if (ec || !fs::exists(st)) {
            error("$", "pack.json is missing");
            return false;
        }
        if (!fs::is_regular_file(st)) {
            error("$", "pack.json is not a regular file");
            return false;
        }
        auto size = fs::file_size(p, ec);
        if (ec) {
            error("$", "pack.json cannot be read: " + ec.message());
            return false;
        }
        if (size > kMaxPackJsonBytes) {
            error("$", "pack.json is " + std::to_string(size) + " bytes; the limit is " +
                           std::to_string(kMaxPackJsonBytes) + " bytes");
            return false;
        }
        std::ifstream in(p, std::ios::binary);
        if (!in) {
            error("$", "pack.json cannot be read");
            return false;
        }
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (text.size() > kMaxPackJsonBytes) { // the file grew while we read it
            error("$", "pack.json is larger than the limit of " + std::to_string(kMaxPackJsonBytes) + " bytes");
            return false;
        }
        if (int d = formats::json_depth(text); d > kMaxJsonDepth) {
            error("$", "pack.json nests lists and objects " + std::to_string(d) + " deep; the limit is " +
                           std::to_string(kMaxJsonDepth));
            return false;
        }
        try {
            doc_ = json::parse(text);
        } catch (const json::parse_error& e) {
            std::size_t line = 1, col = 1;
            const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
            for (std::size_t i = 0; i < end; ++i) {
                if (text[i] == '\n') {
                    ++line;
                    col = 1;
                } else
                    ++col;
            }
            std::string what = e.what();
            // nlohmann's message reads "[json.exception.parse_error.101] parse error at line L, column C: reason"
            auto colon = what.find(": ");
            std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
            error("$",
                  "invalid JSON at line " + std::to_string(line) + ", column " + std::to_string(col) + ": " + reason);
            return false;
        } catch (const std::exception& e) {
            error("$", std::string("invalid JSON: ") + e.what());
            return false;
        }
        if (!doc_.is_object()) {
            error("$", "the pack must be a JSON object, not " + type_name(doc_));
            return false;
        }
        return true;
    }

    void unknown_keys(const json& obj, const std::string& path, std::initializer_list<const char*> known) {
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            bool found = std::any_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; });
            if (!found) warn(path + "." + it.key(), "unknown field " + shown(it.key()) + " is ignored");
        }
    }

    const json* field(const json& obj, const std::string& path, const char* key, bool required = true) {
        auto it = obj.find(key);
        if (it == obj.end()) {
            if (required) error(path, std::string("missing required field \"") + key + "\"");
            return nullptr;
        }
        return &*it;
    }

    bool get_string(const json& obj, const std::string& path, const char* key, std::string& out, bool required = true) {
        const json* v = field(obj, path, key, required);
        if (!v) return false;
        if (!v->is_string()) {
            error(path + "." + key, "must be text, not " + type_name(*v));
            return false;
        }
        out = v->get<std::string>();
        if (required && out.empty()) {
            error(path + "." + key, "must not be empty");
            return false;
        }
        return true;
    }

    bool get_int(const json& obj, const std::string& path, const char* key, int& out, int lo, int hi,
                 bool required = true) {
        const json* v = field(obj, path, key, required);
        if (!v) return false;
        if (!v->is_number_integer()) {
            error(path + "." + key, "must be a whole number, not " + type_name(*v));
            return false;
        }
        auto n = v->get<std::int64_t>();
        if (n < lo || n > hi) {
            error(path + "." + key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", not " +
                                        std::to_string(n));
            return false;
        }
        out = static_cast<int>(n);
        return true;
    }

    bool get_bool(const json& obj, const std::string& path, const char* key, bool& out) {
        const json* v = field(obj, path, key, false);
        if (!v) return false;
        if (!v->is_boolean()) {
            error(path + "." + key, "must be true or false, not " + type_name(*v));
            return false;
        }
        out = v->get<bool>();
        return true;
    }

    bool valid_id(const std::string& path, const std::string& id) {
        static const std::regex re("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
        // Length first: std::regex recurses per character and a megabyte-long id would exhaust the stack.
        if (id.empty() || id.size() > 64 || !std::regex_match(id, re)) {
            error(path, "id " + shown(id) +
                            " must be 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit");
            return false;
        }
        return true;
    }

    void read_text(const json& obj, const std::string& path, const char* key, Text& out, bool required = true) {
        const json* v = field(obj, path, key, required);
        if (!v) return;
        read_text_value(*v, path + "." + key, out);
    }

    void read_text_value(const json& v, const std::string& path, Text& out) {
        if (!v.is_object()) {
            error(path, "must be an object of texts by language, like {\"en\": \"...\"}, not " + type_name(v));
            return;
        }
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (std::find(languages_.begin(), languages_.end(), it.key()) == languages_.end()) {
                warn(path + "." + it.key(), "language " + shown(it.key()) + " is not declared in $.languages");
                continue;
            }
            if (!it->is_string()) {
                error(path + "." + it.key(), "must be text, not " + type_name(*it));
                continue;
            }
            if (it->get_ref<const std::string&>().empty()) {
                error(path + "." + it.key(), "text must not be empty");
                continue;
            }
            out.by_lang[it.key()] = it->get<std::string>();
        }
        if (languages_.empty()) return;
        if (out.by_lang.count(languages_.front()) == 0) {
            error(path, "missing text in " + shown(languages_.front()) + ", the pack's first language");
            return;
        }
        for (const auto& l : languages_)
            if (out.by_lang.count(l) == 0)
                warn(path, "missing text in " + shown(l) + "; " + shown(languages_.front()) + " is shown instead");
    }

    // Resolves a picture path relative to the pack folder, refusing anything
    // that leaves it, and checks that it is a readable PNG of sane size.
    std::string read_picture(const json& obj, const std::string& path, const char* key, bool required) {
        std::string rel;
        if (!get_string(obj, path, key, rel, required)) return {};
        const std::string where = path + "." + key;
        fs::path rp(rel);
        if (rel.empty()) {
            error(where, "picture path must not be empty");
            return {};
        }
        if (rp.is_absolute() || rel.find('\\') != std::string::npos) {
            error(where, "picture " + shown(rel) + " must be a path inside the pack folder, like \"pictures/ear.png\"");
            return {};
        }
        for (const auto& part : rp)
            if (part == "..") {
                error(where, "picture " + shown(rel) + " escapes the pack folder");
                return {};
            }
        std::error_code ec;
        fs::path full = dir_ / rp;
        if (!fs::exists(full, ec)) {
            error(where, "picture " + shown(rel) + " is missing");
            return {};
        }
        fs::path canon = fs::weakly_canonical(full, ec);
        auto rel_to_root = canon.lexically_relative(root_);
        if (ec || rel_to_root.empty() || *rel_to_root.begin() == "..") {
            error(where, "picture " + shown(rel) + " escapes the pack folder (through a link)");
            return {};
        }
        if (!fs::is_regular_file(canon, ec)) {
            error(where, "picture " + shown(rel) + " is not a regular file");
            return {};
        }
        auto size = fs::file_size(canon, ec);
        if (ec || size > kMaxPictureBytes) {
            error(where,
                  "picture " + shown(rel) + " is larger than " + std::to_string(kMaxPictureBytes >> 20) + " MiB");
            return {};
        }
        std::ifstream in(canon, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        static const char png_sig[] = "\x89PNG\r\n\x1a\n";
        const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
        const int len = static_cast<int>(std::min<std::size_t>(bytes.size(), kMaxPictureBytes));
        int w = 0, h = 0, comp = 0;
        if (bytes.size() < 8 || bytes.compare(0, 8, png_sig, 8) != 0 ||
            !stbi_info_from_memory(data, len, &w, &h, &comp)) {
            error(where, "picture " + shown(rel) + " is not a readable PNG");
            return {};
        }
        if (w <= 0 || h <= 0 || w > kMaxPictureSide || h > kMaxPictureSide) {
            error(where, "picture " + shown(rel) + " is " + std::to_string(w) + "x" + std::to_string(h) +
                             " px; each side must be 1 to " + std::to_string(kMaxPictureSide) + " px");
            return {};
        }
        // Decode it once, so a file with a good header but broken data is refused here and not on a child's screen.
        stbi_uc* pixels = stbi_load_from_memory(data, len, &w, &h, &comp, 4);
        if (!pixels) {
            error(where, "picture " + shown(rel) + " is not a readable PNG (" + stbi_failure_reason() + ")");
            return {};
        }
        stbi_image_free(pixels);
        return canon.string();
    }

    // Calls `f` for each item of the list `key`, refusing lists longer than
    // `limit` so that checks across items stay quick on any input.
    template <class F>
    void each(const json& obj, const std::string& path, const char* key, bool nonempty, std::size_t limit, F&& f) {
        const json* v = field(obj, path, key);
        if (!v) return;
        if (!v->is_array()) {
            error(path + "." + key, "must be a list, not " + type_name(*v));
            return;
        }
        if (nonempty && v->empty()) {
            error(path + "." + key, "must not be empty");
            return;
        }
        if (v->size() > limit) {
            error(path + "." + key,
                  "has " + std::to_string(v->size()) + " items; at most " + std::to_string(limit) + " are allowed");
            return;
        }
        for (std::size_t i = 0; i < v->size(); ++i)
            f((*v)[i], path + "." + key + "[" + std::to_string(i) + "]");
    }

    void read_words(const json& obj, const std::string& path, std::map<std::string, Text>& out, bool all_required) {
        const json* v = field(obj, path, "words", all_required);
        if (!v) return;
        const std::string wpath = path + ".words";
        if (!v->is_object()) {
            error(wpath, "must be an object of kiosk words, not " + type_name(*v));
            return;
        }
        const auto& keys = required_words();
        const auto& optional = optional_words();
        for (auto it = v->begin(); it != v->end(); ++it) {
            if (std::find(keys.begin(), keys.end(), it.key()) == keys.end() &&
                std::find(optional.begin(), optional.end(), it.key()) == optional.end()) {
                warn(wpath + "." + it.key(), "unknown kiosk word " + shown(it.key()) + " is ignored");
                continue;
            }
            Text t;
            read_text_value(*it, wpath + "." + it.key(), t);
            out[it.key()] = std::move(t);
        }
        if (all_required)
            for (const auto& k : keys)
                if (out.count(k) == 0) error(wpath, "missing kiosk word " + shown(k));
    }

    void parse_pack(Pack& pack) {
        const json& d = doc_;
        unknown_keys(d, "$",
                     {"$schema", "format", "id", "version", "title", "picture", "languages", "drafts", "visit_types",
                      "words", "talk_button", "intro", "name_choice", "help_line", "measures", "tones", "service_areas",
                      "bands"});
        int format = 0;
        if (get_int(d, "$", "format", format, 1, 1000) && format != 1)
            error("$.format", "format " + std::to_string(format) + " is newer than this kiosk understands (1)");
        if (get_string(d, "$", "id", pack.id)) valid_id("$.id", pack.id);
        get_string(d, "$", "version", pack.version);

        if (const json* langs = field(d, "$", "languages")) {
            static const std::regex lang_re("[a-z]{2,3}(-[A-Za-z0-9]{1,8})*");
            if (!langs->is_array() || langs->empty()) {
                error("$.languages", "must be a non-empty list of language codes, like [\"en\"]");
            } else {
                for (std::size_t i = 0; i < langs->size(); ++i) {
                    const auto& l = (*langs)[i];
                    const std::string p = "$.languages[" + std::to_string(i) + "]";
                    if (!l.is_string() || l.get_ref<const std::string&>().size() > 35 ||
                        !std::regex_match(l.get<std::string>(), lang_re)) {
                        error(p, "must be a language code like \"en\" or \"pa-Guru\"");
                        continue;
                    }
                    if (std::find(languages_.begin(), languages_.end(), l.get<std::string>()) != languages_.end()) {
                        error(p, "language " + shown(l.get<std::string>()) + " is listed twice");
                        continue;
                    }
                    languages_.push_back(l.get<std::string>());
                }
                if (std::find(languages_.begin(), languages_.end(), "en") == languages_.end())
                    error("$.languages", "must include \"en\"");
            }
        }
        pack.languages = languages_;
        if (pack.languages.empty()) pack.languages.push_back("en");
        // Languages whose text is a draft translation, not yet checked by a person.
        if (const json* drafts = field(d, "$", "drafts", false)) {
            if (!drafts->is_array())
                error("$.drafts", "must be a list of language codes");
            else
                for (std::size_t i = 0; i < drafts->size(); ++i) {
                    const auto& l = (*drafts)[i];
                    const std::string p = "$.drafts[" + std::to_string(i) + "]";
                    if (!l.is_string() || std::find(pack.languages.begin(), pack.languages.end(),
                                                    l.get<std::string>()) == pack.languages.end())
                        error(p, "must be one of the pack's languages");
                    else if (l.get<std::string>() == pack.languages.front())
                        error(p, "the first language is what every other falls back to; it can't be a draft");
                    else
                        pack.drafts.insert(l.get<std::string>());
                }
        }

        read_text(d, "$", "title", pack.title);
        pack.picture = read_picture(d, "$", "picture", false);
        read_words(d, "$", pack.words, true);
        get_bool(d, "$", "talk_button", pack.talk_button);
        read_text(d, "$", "intro", pack.intro, false);
        warn_long_intro("$.intro", pack.intro);
        if (const json* h = field(d, "$", "help_line", false)) {
            if (!h->is_object()) {
                error("$.help_line",
                      "must be an object like {\"text\": {...}, \"number\": \"0800 1111\"}, not " + type_name(*h));
            } else {
                unknown_keys(*h, "$.help_line", {"text", "number"});
                Pack::HelpLine line;
                read_text(*h, "$.help_line", "text", line.text);
                // A number a child can dial: digits, spaces, + - ( ), at most 30 characters.
                if (get_string(*h, "$.help_line", "number", line.number)) {
                    const bool dialable = !line.number.empty() && line.number.size() <= 30 &&
                                          line.number.find_first_not_of("0123456789 +-()") == std::string::npos &&
                                          line.number.find_first_of("0123456789") != std::string::npos;
                    if (!dialable)
                        error("$.help_line.number",
                              "must be a telephone number of digits, spaces and + - ( ), like \"0800 1111\"");
                }
                pack.help_line = std::move(line);
            }
        }
        get_bool(d, "$", "name_choice", pack.name_choice);
        if (pack.name_choice)
            for (const auto& k : name_words())
                if (!pack.words.count(k))
                    error("$.words", "missing kiosk word \"" + k + "\", needed by \"name_choice\"");
        if (pack.talk_button)
            for (const char* k : {"talk", "talk_done"})
                if (!pack.words.count(k))
                    error("$.words", std::string("missing kiosk word \"") + k + "\", needed by \"talk_button\"");

        std::set<std::string> visit_ids;
        each(d, "$", "visit_types", true, kMaxVisitTypes, [&](const json& v, const std::string& p) {
            if (!v.is_object()) return error(p, "must be an object, not " + type_name(v));
            unknown_keys(v, p, {"id", "label"});
            VisitType vt;
            if (get_string(v, p, "id", vt.id) && valid_id(p + ".id", vt.id) && !visit_ids.insert(vt.id).second)
                error(p + ".id", "duplicate visit type id " + shown(vt.id));
            read_text(v, p, "label", vt.label);
            pack.visit_types.push_back(std::move(vt));
        });

        read_measures(d, pack);
        read_tones(d);
        std::set<std::string> area_ids;
        if (d.contains("service_areas"))
            each(d, "$", "service_areas", true, kMaxServiceAreas, [&](const json& v, const std::string& p) {
                if (!v.is_object()) return error(p, "must be an object, not " + type_name(v));
                unknown_keys(v, p, {"id", "label"});
                ServiceArea a;
                if (get_string(v, p, "id", a.id) && valid_id(p + ".id", a.id) && !area_ids.insert(a.id).second)
                    error(p + ".id", "duplicate service area id " + shown(a.id));
                read_text(v, p, "label", a.label);
                pack.service_areas.push_back(std::move(a));
            });

        std::set<std::string> band_ids;
        std::vector<std::string> band_paths;
        each(d, "$", "bands", true, kMaxBands, [&](const json& b, const std::string& p) {
            if (!b.is_object()) return error(p, "must be an object, not " + type_name(b));
            pack.bands.push_back(parse_band(b, p, band_ids));
            band_paths.push_back(p);
        });
        // A voice question says what to do in words beside its buttons.
        const bool voice = std::any_of(pack.bands.begin(), pack.bands.end(), [](const Band& b) {
            return std::any_of(b.questions.begin(), b.questions.end(),
                               [](const Question& q) { return q.kind == Kind::Voice; });
        });
        if (voice)
            for (const auto& k : voice_words())
                if (!pack.words.count(k))
                    error("$.words", "missing kiosk word \"" + k + "\", needed by a voice question");
        // An answer that asks to talk tells the child what happens next, in the talk_done words.
        const bool asks = std::any_of(pack.bands.begin(), pack.bands.end(), [](const Band& b) {
            return std::any_of(b.questions.begin(), b.questions.end(), [](const Question& q) {
                return std::any_of(q.options.begin(), q.options.end(), [](const Option& o) { return o.asks_to_talk; });
            });
        });
        if (asks && !pack.talk_button && !pack.words.count("talk_done"))
            error("$.words", "missing kiosk word \"talk_done\", needed by an answer that asks to talk");
        // The choice of name is made on the screen that says who will see: every band needs one.
        if (pack.name_choice)
            for (std::size_t i = 0; i < pack.bands.size(); ++i)
                if (pack.intro_for(pack.bands[i]).by_lang.empty())
                    error(band_paths[i], "\"name_choice\" is asked on the screen that says who will see the answers; "
                                         "give the pack (or this band) an \"intro\"");
        // Bands of one cohort must not overlap, or the practitioner could not
        // tell which one a child of that age belongs to.
        for (std::size_t i = 0; i < pack.bands.size(); ++i)
            for (std::size_t j = i + 1; j < pack.bands.size(); ++j) {
                const Band& a = pack.bands[i];
                const Band& c = pack.bands[j];
                if (a.cohort != c.cohort || a.max_age < a.min_age || c.max_age < c.min_age) continue;
                if (a.min_age <= c.max_age && c.min_age <= a.max_age)
                    error(band_paths[j], "ages " + std::to_string(c.min_age) + "-" + std::to_string(c.max_age) +
                                             " of band " + shown(c.id) + " overlap band " + shown(a.id) + " (" +
                                             std::to_string(a.min_age) + "-" + std::to_string(a.max_age) +
                                             "); give one of them its own \"cohort\"");
            }
    }

    // $.measures: what the pack's questions measure, each with the statement
    // reports show it under, in the order reports show them.
    void read_measures(const json& d, Pack& pack) {
        if (!d.contains("measures")) return;
        measures_declared_ = true;
        each(d, "$", "measures", true, kMaxMeasures, [&](const json& v, const std::string& p) {
            if (!v.is_object()) return error(p, "must be an object, not " + type_name(v));
            unknown_keys(v, p, {"id", "statement"});
            Measure m;
            if (get_string(v, p, "id", m.id) && valid_id(p + ".id", m.id) && !measure_ids_.insert(m.id).second)
                error(p + ".id", "duplicate measure id " + shown(m.id));
            read_text(v, p, "statement", m.statement);
            pack.measures.push_back(std::move(m));
        });
    }

    static const std::vector<std::string>& builtin_answers(int which) {
        static const std::vector<std::string> faces = {"very_sad", "sad", "ok", "happy", "very_happy"};
        static const std::vector<std::string> yes_no = {"yes", "not_sure", "no"};
        return which == 0 ? faces : yes_no;
    }

    // $.tones: how the kiosk's faces and yes/no read in reports, when a pack
    // reads them otherwise than sad is negative, ok middling, happy positive
    // (and no, not sure, yes). A kind given is given whole.
    void read_tones(const json& d) {
        tones_[0] = {{"very_sad", Tone::Negative},
                     {"sad", Tone::Negative},
                     {"ok", Tone::Middling},
                     {"happy", Tone::Positive},
                     {"very_happy", Tone::Positive}};
        tones_[1] = {{"no", Tone::Negative}, {"not_sure", Tone::Middling}, {"yes", Tone::Positive}};
        const json* v = field(d, "$", "tones", false);
        if (!v) return;
        if (!v->is_object())
            return error("$.tones",
                         "must be an object of tones by kind, like {\"faces\": {\"ok\": \"positive\", ...}}, not " +
                             type_name(*v));
        for (auto it = v->begin(); it != v->end(); ++it) {
            const std::string p = "$.tones." + it.key();
            const int which = it.key() == "faces" ? 0 : it.key() == "yes_no" ? 1 : -1;
            if (which < 0) {
                error(p, "tones are given for the kiosk's own answers, \"faces\" and \"yes_no\", not " +
                             shown(it.key()) + "; a pick_one answer gives its own \"tone\"");
                continue;
            }
            if (!it->is_object()) {
                error(p, "must be an object of tones by answer, not " + type_name(*it));
                continue;
            }
            const auto& answers = builtin_answers(which);
            std::map<std::string, Tone> given;
            for (auto a = it->begin(); a != it->end(); ++a) {
                if (std::find(answers.begin(), answers.end(), a.key()) == answers.end()) {
                    error(p + "." + a.key(), "there is no " + it.key() + " answer " + shown(a.key()));
                    continue;
                }
                if (auto t = a->is_string() ? tone_from_name(a->get<std::string>()) : std::nullopt)
                    given[a.key()] = *t;
                else
                    error(p + "." + a.key(), "must be \"positive\", \"middling\", \"negative\" or \"none\"");
            }
            for (const auto& a : answers)
                if (!it->contains(a)) error(p, "missing the tone of " + shown(a) + ": a kind's tones are given whole");
            for (const auto& [a, t] : given)
                tones_[which][a] = t;
        }
    }

    // The intro screen does not scroll: a few short sentences fit every screen at the largest text size.
    void warn_long_intro(const std::string& path, const Text& intro) {
        for (const auto& [lang, words] : intro.by_lang)
            if (utf8::count(words) > kMaxIntroChars)
                warn(path + "." + lang, "is " + std::to_string(utf8::count(words)) + " characters; keep it under " +
                                            std::to_string(kMaxIntroChars) +
                                            " so it fits a small screen at the largest text size");
    }

    Band parse_band(const json& b, const std::string& p, std::set<std::string>& band_ids) {
        unknown_keys(
            b, p,
            {"id", "label", "min_age", "max_age", "cohort", "picture", "words", "auto_read", "intro", "questions"});
        Band band;
        if (get_string(b, p, "id", band.id) && valid_id(p + ".id", band.id) && !band_ids.insert(band.id).second)
            error(p + ".id", "duplicate band id " + shown(band.id));
        read_text(b, p, "label", band.label);
        bool ages = get_int(b, p, "min_age", band.min_age, 0, 120);
        ages = get_int(b, p, "max_age", band.max_age, 0, 120) && ages;
        if (ages && band.min_age > band.max_age)
            error(p, "min_age " + std::to_string(band.min_age) + " is above max_age " + std::to_string(band.max_age));
        get_string(b, p, "cohort", band.cohort, false);
        get_bool(b, p, "auto_read", band.auto_read);
        band.picture = read_picture(b, p, "picture", true);
        read_words(b, p, band.words, false);
        read_text(b, p, "intro", band.intro, false);
        warn_long_intro(p + ".intro", band.intro);
        std::set<std::string> qids;
        each(b, p, "questions", true, kMaxQuestions, [&](const json& q, const std::string& qp) {
            if (!q.is_object()) return error(qp, "must be an object, not " + type_name(q));
            band.questions.push_back(parse_question(q, qp, qids));
        });
        // Each drawing and recording travels inside its response (sync/PROTOCOL.md): a few per child keep one
        // response deliverable.
        const auto clips = std::count_if(band.questions.begin(), band.questions.end(), [](const Question& q) {
            return q.kind == Kind::Draw || q.kind == Kind::Voice;
        });
        if (clips > kMaxClipQuestions)
            error(p + ".questions", "a band has at most " + std::to_string(kMaxClipQuestions) +
                                        " draw and voice questions together, not " + std::to_string(clips));
        return band;
    }

    Question parse_question(const json& q, const std::string& p, std::set<std::string>& qids) {
        unknown_keys(q, p,
                     {"id", "kind", "text", "picture", "measure", "scale", "options", "max_length", "max_seconds"});
        Question qu;
        if (get_string(q, p, "id", qu.id) && valid_id(p + ".id", qu.id) && !qids.insert(qu.id).second)
            error(p + ".id", "duplicate question id " + shown(qu.id) + " in this band");
        std::string kind;
        bool kind_ok = false;
        if (get_string(q, p, "kind", kind)) {
            static const std::map<std::string, Kind> kinds = {
                {"faces", Kind::Faces},        {"yes_no", Kind::YesNo},  {"pick_one", Kind::PickOne},
                {"pick_many", Kind::PickMany}, {"text", Kind::FreeText}, {"draw", Kind::Draw},
                {"voice", Kind::Voice}};
            if (auto it = kinds.find(kind); it != kinds.end()) {
                qu.kind = it->second;
                kind_ok = true;
            } else {
                error(p + ".kind", "unknown question kind " + shown(kind) +
                                       " (expected faces, yes_no, pick_one, pick_many, text, draw or voice)");
            }
        }
        read_text(q, p, "text", qu.text);
        qu.picture = read_picture(q, p, "picture", false);
        if (get_string(q, p, "measure", qu.measure, false) && !qu.measure.empty()) {
            if (measures_declared_ && !measure_ids_.count(qu.measure))
                error(p + ".measure", "measure " + shown(qu.measure) + " is not declared in $.measures");
            else if (!measures_declared_)
                warn(p + ".measure",
                     "measure " + shown(qu.measure) +
                         " is not declared in $.measures; reports show it by its id, after the declared ones");
        }
        if (!kind_ok) return qu;

        const bool has_options = q.contains("options");
        switch (qu.kind) {
        case Kind::Faces: {
            if (get_int(q, p, "scale", qu.scale, 3, 5) && qu.scale == 4)
                error(p + ".scale", "a faces scale has 3 or 5 faces, not 4");
            if (qu.scale == 3) builtin(qu, {"sad", "ok", "happy"}, "faces/face-3-", "face.", tones_[0]);
            if (qu.scale == 5)
                builtin(qu, {"very_sad", "sad", "ok", "happy", "very_happy"}, "faces/face-5-", "face.", tones_[0]);
            if (has_options) error(p + ".options", "faces questions use the kiosk's own faces; remove \"options\"");
            break;
        }
        case Kind::YesNo:
            builtin(qu, {"yes", "not_sure", "no"}, "ui/", "", tones_[1]);
            if (has_options) error(p + ".options", "yes_no questions use the kiosk's own answers; remove \"options\"");
            break;
        case Kind::PickOne:
        case Kind::PickMany: {
            std::set<std::string> oids;
            each(q, p, "options", true, kMaxOptions, [&](const json& o, const std::string& op) {
                if (!o.is_object()) return error(op, "must be an object, not " + type_name(o));
                unknown_keys(o, op, {"id", "label", "picture", "asks_to_talk", "tone"});
                Option opt;
                if (get_string(o, op, "id", opt.id) && valid_id(op + ".id", opt.id) && !oids.insert(opt.id).second)
                    error(op + ".id", "duplicate option id " + shown(opt.id));
                read_text(o, op, "label", opt.label);
                opt.picture = read_picture(o, op, "picture", false);
                get_bool(o, op, "asks_to_talk", opt.asks_to_talk);
                read_tone(o, op, qu, opt);
                qu.options.push_back(std::move(opt));
            });
            if (qu.options.size() == 1) error(p + ".options", "a choice needs at least 2 options");
            break;
        }
        case Kind::FreeText:
            get_int(q, p, "max_length", qu.max_length, 1, 5000, false);
            if (has_options) error(p + ".options", "text questions have no options");
            break;
        case Kind::Draw:
            if (has_options) error(p + ".options", "draw questions have no options: the child draws on a canvas");
            break;
        case Kind::Voice:
            get_int(q, p, "max_seconds", qu.max_seconds, recording::kMinSeconds, recording::kMaxSeconds, false);
            if (has_options) error(p + ".options", "voice questions have no options: the child speaks");
            break;
        }
        if (qu.kind != Kind::Faces && q.contains("scale")) warn(p + ".scale", "only faces questions have a scale");
        if (qu.kind != Kind::Voice && q.contains("max_seconds"))
            warn(p + ".max_seconds", "only voice questions have a length in seconds");
        return qu;
    }

    // A pick_one answer's tone. A question that measures something, in a pack
    // that declares its measures, gives every answer one: an answer counted
    // in no tone is then said, not forgotten.
    void read_tone(const json& o, const std::string& op, const Question& q, Option& opt) {
        const json* v = field(o, op, "tone", false);
        if (!v) {
            if (q.kind == Kind::PickOne && !q.measure.empty() && measures_declared_)
                error(op, "missing \"tone\" (positive, middling, negative or none): the question measures " +
                              shown(q.measure));
            return;
        }
        if (q.kind == Kind::PickMany)
            return error(op + ".tone", "only a pick_one answer has a tone: here a child may pick several");
        if (auto t = v->is_string() ? tone_from_name(v->get<std::string>()) : std::nullopt)
            opt.tone = *t;
        else
            error(op + ".tone", "must be \"positive\", \"middling\", \"negative\" or \"none\"");
    }

    void builtin(Question& q, std::initializer_list<const char*> ids, const std::string& picture_prefix,
                 const std::string& word_prefix, const std::map<std::string, Tone>& tones) {
        for (const char* id : ids) {
            Option o;
            o.id = id;
            o.builtin = true;
            o.picture = picture_prefix + id;
            o.word = word_prefix + id;
            o.tone = tones.at(id);
            q.options.push_back(std::move(o));
        }
    }
};

} // namespace

LoadResult load_pack(const fs::path& dir) {
    tasks::blocking("reading a pack");
    try {
        return Loader(dir).run();
    } catch (const std::exception& e) {
        // Any surprise in a pack is a refused pack, never a crash.
        LoadResult r;
        r.problems.push_back({Problem::Severity::Error, (dir / "pack.json").string(), "$",
                              std::string("could not be read: ") + e.what()});
        return r;
    }
}

} // namespace sayso::pack
