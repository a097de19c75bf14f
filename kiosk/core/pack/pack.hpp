// Survey pack model: what a pack says, independent of how it is drawn.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sayso::pack {

// One text in every language the pack declares, keyed by language code.
struct Text {
    std::map<std::string, std::string> by_lang;
    // The text in `lang`, else in `fallback` (the pack's first language).
    const std::string& get(const std::string& lang, const std::string& fallback) const;
};

enum class Kind { Faces, YesNo, PickOne, PickMany, FreeText, Draw, Voice };
const char* kind_name(Kind);

// How an answer reads in reports: the pack says it (a tone for each of its
// own answers, or for the kiosk's faces and yes/no), so a scale such as
// "safer / the same / less safe" counts like any other.
enum class Tone { None, Negative, Middling, Positive };
const char* tone_name(Tone); // "none", "negative", "middling", "positive"
std::optional<Tone> tone_from_name(const std::string&);

struct Option {
    std::string id;
    Text label;
    // Absolute path of a PNG inside the pack, or a kiosk asset name such as
    // "faces/face-3-happy" when `builtin` is set (faces and yes/no answers).
    std::string picture;
    bool builtin = false;
    std::string word;          // builtin answers: the kiosk word that labels them, e.g. "face.happy"
    bool asks_to_talk = false; // choosing it raises the safeguarding flag ("I don't feel safe")
    Tone tone = Tone::None;    // how choosing it reads in reports (a pick_one answer, a face, yes or no)
};

struct Question {
    std::string id;
    Kind kind = Kind::Faces;
    Text text;
    std::string picture;  // absolute path, may be empty
    std::string measure;  // principle tag for reports, may be empty
    int scale = 0;        // faces: 3 or 5
    int max_length = 500; // free text, in characters
    int max_seconds = 60; // voice: the longest a recording may be
    std::vector<Option> options;

    bool single_choice() const { return kind == Kind::Faces || kind == Kind::YesNo || kind == Kind::PickOne; }
    const Option* option(const std::string& id) const;
    // How an answer of these options reads: the tone of its one option; none
    // for a skip, several picks, no option or an option this question lacks.
    Tone tone(const std::vector<std::string>& picked) const;
};

struct Band {
    std::string id;
    Text label;
    int min_age = 0;
    int max_age = 0;
    std::string cohort; // bands overlap only across cohorts (e.g. care leavers)
    std::string picture;
    std::vector<Question> questions;
    std::map<std::string, Text> words; // band's own wording of the kiosk words
    bool auto_read = false; // read the welcome and each question aloud as it appears (children who can't read yet)
    Text intro;             // this band's own words for who will see the answers (else the pack's)
};

struct VisitType {
    std::string id;
    Text label;
};

// What a question measures, for reports: the statement a figure is shown
// under, in the pack's languages. The pack's order is the reports' order.
struct Measure {
    std::string id;
    Text statement;
};

// A part of the service a tablet works in (a tablet's responses are stamped
// with it at the collector), named for reports.
struct ServiceArea {
    std::string id;
    Text label;
};

struct Pack {
    std::filesystem::path dir;
    std::string id;
    std::string version;
    Text title;
    std::string picture; // absolute path, may be empty: shown where the practitioner picks a survey
    std::vector<std::string> languages;
    std::set<std::string> drafts; // languages whose text is a draft translation awaiting a person's check
    std::vector<VisitType> visit_types;
    std::vector<Measure> measures;          // in the order reports show them; may be empty (older packs)
    std::vector<ServiceArea> service_areas; // may be empty
    std::vector<Band> bands;
    std::map<std::string, Text> words; // kiosk words: "start", "skip", "face.happy", ...
    bool talk_button = false;          // every child screen offers "I want to talk to someone"
    // Before the first question: who will see the answers, in the child's words
    // (empty: no such screen); and whether a child given a case reference may
    // send their words without it.
    Text intro;
    bool name_choice = false;
    // Shown to a child who asks to talk, where the pack gives one: who else they
    // can call, in their words, and the number (e.g. Childline, 0800 1111).
    struct HelpLine {
        Text text;
        std::string number;
    };
    std::optional<HelpLine> help_line;
    std::set<std::string> recorded; // languages with recorded clips (an audio/<lang> folder), found at load

    const std::string& first_language() const { return languages.front(); }
    // The youngest and oldest age its bands fit, across cohorts.
    std::pair<int, int> ages() const;
    const Band* band(const std::string& id) const;
    const VisitType* visit_type(const std::string& id) const;
    const Measure* measure(const std::string& id) const;
    const ServiceArea* service_area(const std::string& id) const;
    // A kiosk word for `band` in `lang`: the band's wording if it has one, else the pack's.
    const std::string& word(const Band& band, const std::string& key, const std::string& lang) const;
    const std::string& text(const Text& t, const std::string& lang) const { return t.get(lang, first_language()); }
    // Who will see the answers, for this band: its own words, else the pack's; empty when there is no such screen.
    const Text& intro_for(const Band& b) const { return b.intro.by_lang.empty() ? intro : b.intro; }
    // A recorded clip the pack ships for `key` in `lang`, or an empty path:
    // audio/<lang>/<band>/<key>.ogg|.wav, else audio/<lang>/<key>.ogg|.wav.
    // Keys: a question's id, "<question>.<option>" for an answer, "word.<kiosk word>".
    std::filesystem::path clip(const Band& band, const std::string& key, const std::string& lang) const;
    // What a child reads under an answer: the option's own label, or for
    // builtin faces and yes/no answers the band's kiosk word.
    const std::string& label(const Band& band, const Option& o, const std::string& lang) const {
        return o.builtin ? word(band, o.word, lang) : text(o.label, lang);
    }
};

// The kiosk words every pack must give, in every language.
const std::vector<std::string>& required_words();
// Kiosk words a pack may give; some become required by a feature it turns on
// ("talk" and "talk_done" with "talk_button").
const std::vector<std::string>& optional_words();
// The words a voice question shows, required when a band has one.
const std::vector<std::string>& voice_words();
// The words of the choice to send with or without a name, required with "name_choice".
const std::vector<std::string>& name_words();

struct Problem {
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    std::string file;
    std::string path; // JSON path such as $.bands[0].questions[2].kind
    std::string message;
    // "file:path: message", warnings marked "warning: "
    std::string str() const;
};

struct LoadResult {
    std::shared_ptr<const Pack> pack; // null when any error was found
    std::vector<Problem> problems;
    bool ok() const { return pack != nullptr; }
    std::size_t errors() const;
};

// Reads and validates the pack in `dir`. Never throws; every problem found is
// listed, not just the first.
LoadResult load_pack(const std::filesystem::path& dir);

// Limits that keep the loader fast and safe on hostile input.
inline constexpr std::uintmax_t kMaxPackJsonBytes = 2u << 20; // 2 MiB
inline constexpr std::uintmax_t kMaxPictureBytes = 8u << 20;  // 8 MiB
inline constexpr int kMaxJsonDepth = 32;
inline constexpr int kMaxPictureSide = 4096; // px
inline constexpr std::size_t kMaxBands = 32;
inline constexpr std::size_t kMaxQuestions = 100; // per band
inline constexpr long kMaxClipQuestions = 3; // draw and voice questions per band: each clip travels in its response
inline constexpr std::size_t kMaxVisitTypes = 32;
inline constexpr std::size_t kMaxIntroChars = 160; // longer is warned about: the intro screen does not scroll
inline constexpr std::size_t kMaxMeasures = 32;
inline constexpr std::size_t kMaxServiceAreas = 32;
inline constexpr std::size_t kMaxOptions = 12; // what fits on a child's screen

} // namespace sayso::pack
