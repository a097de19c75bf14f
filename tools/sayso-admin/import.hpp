// sayso-admin import: a SurveyJS survey (the JSON web survey tools export)
// as a draft survey pack. What maps: ratings and smiley ratings to faces,
// boolean to yes/no, radio groups and drop-downs to pick one, check boxes and
// tag boxes to pick many, comments and text boxes to the child's own words,
// every locale's titles to the pack's languages. What doesn't is listed by
// its JSON path, and the pack written is checked as `validate` checks it.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sayso::admin {

struct ImportOptions {
    std::string id;                   // the pack's id; from the output folder's name when empty
    int min_age = 8, max_age = 17;    // the one band's ages
    std::filesystem::path words_from; // a pack whose kiosk words, visit types, talk button and band picture are taken
};

// Something of the survey the pack does not keep, or keeps otherwise, at its JSON path.
struct ImportNote {
    std::string path; // e.g. $.pages[0].elements[3]
    std::string words;
};

struct Imported {
    nlohmann::json pack;                // pack.json
    std::vector<ImportNote> notes;      // what was left out or changed, in the survey's order
    std::filesystem::path band_picture; // the file to copy as pictures/band.png
};

// The pack for `survey`; `base` is words_from's pack.json. Never throws.
Imported import_surveyjs(const nlohmann::json& survey, const nlohmann::json& base, const ImportOptions& options);

// Reads `file`, writes the pack into `out` (which must not hold a pack.json
// already), prints each note as FILE:PATH: words and then the pack's own
// problems as `validate` does. 0: a pack that loads; 1: not (said why); 2:
// nothing written (the survey or the base could not be read, or `out` is taken).
int import_command(const std::filesystem::path& file, const std::filesystem::path& out, ImportOptions options);

} // namespace sayso::admin
