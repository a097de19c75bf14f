// What the reports call things, and how an answer reads, taken from the
// survey packs the collector is given: the measures and their statements in
// the packs' order, service areas, visit types and age bands with their
// names, and each answer's tone. Nothing of one council's words is written
// in the collector's code; without packs, reports show the ids as stored.
#pragma once

#include "pack/pack.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sayso::collector::reports {

using PackPtr = std::shared_ptr<const pack::Pack>;
// The survey packs the collector knows, newest version of each id, by id:
// question texts, pictures and words.
using Packs = std::map<std::string, PackPtr>;

// Every pack found in the folders under `root`, every version (a broken one
// is skipped and named in `problems`), ordered by id, then version.
std::vector<PackPtr> load_pack_versions(const std::filesystem::path& root, std::vector<std::string>& problems);
// The newest version of each id among `all`.
Packs newest(const std::vector<PackPtr>& all);
// Orders dotted versions by their numbers ("1.10.0" after "1.9.2"), then as text.
bool version_before(const std::string& a, const std::string& b);

// An id and the name a person reads.
struct Named {
    std::string id, name;
};

class Vocabulary {
  public:
    Vocabulary() = default; // no packs: every name is its id; tones are the kiosk's own
    explicit Vocabulary(std::vector<PackPtr> all);

    // The reports' language: a pack's English text when it has one, else its first language's.
    static constexpr const char* kLanguage = "en";

    // Every measure the packs declare: the first pack's (by id) in its
    // order, then each further pack's new ones in its order.
    const std::vector<Named>& measures() const { return measures_; }
    // Its statement; its id when no pack declares it.
    std::string measure_name(const std::string& id) const;
    // Where it comes in measures(); after all of them when undeclared.
    int measure_rank(const std::string& id) const;
    // The measures of these packs alone, in the same way: what a view whose
    // figures come from some of the packs shows them in (one pack's view in
    // that pack's own order).
    std::vector<std::string> measure_order(const std::set<std::string>& pack_ids) const;

    const std::vector<Named>& service_areas() const { return areas_; }
    const std::vector<Named>& visit_types() const { return visits_; }
    const std::vector<Named>& bands() const { return bands_; }
    std::string service_area_name(const std::string& id) const; // "Not set" for ""
    std::string visit_type_name(const std::string& id) const;
    std::string band_name(const std::string& id) const;

    // "After my visit 1.0.0": a pack version as a person reads it, or the
    // id and version when that pack is not here.
    std::string pack_name(const std::string& id, const std::string& version) const;

    // How this answer reads: 1 positive, 0 middling, -1 negative, nullopt for
    // none (a skip, several picks, words, an answer that is not a rating). Read
    // from the answer's pack at its version when given, else the newest version
    // given of that id; for a pack not given at all, the kiosk's own faces and
    // yes/no as the kiosk reads them by default.
    std::optional<int> tone(const std::string& pack_id, const std::string& version, const std::string& band,
                            const std::string& question_id, const std::string& kind, bool skipped,
                            const std::vector<std::string>& options) const;

    // The pack versions tones are read from, as one line ("id@version ...",
    // "" for none): the index is built again when it changes.
    std::string fingerprint() const;
    bool empty() const { return all_.empty(); }
    const std::vector<PackPtr>& packs() const { return all_; }
    // The pack `id` at `version`, else the newest given of that id (for
    // question texts and pictures); null when no version of it is here.
    const pack::Pack* pack_of(const std::string& id, const std::string& version = "") const;

  private:
    std::vector<PackPtr> all_; // by id, then version
    std::vector<Named> measures_, areas_, visits_, bands_;
};

// The kiosk's own reading of its faces and yes/no, for answers of a pack not
// given (a pack reads them so unless it says otherwise): 1 positive, 0
// middling, -1 negative; nullopt for a skip or any other answer.
std::optional<int> tone(const std::string& kind, bool skipped, const std::vector<std::string>& options);

} // namespace sayso::collector::reports
