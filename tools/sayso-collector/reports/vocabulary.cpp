#include "vocabulary.hpp"

#include <algorithm>
#include <cctype>

namespace sayso::collector::reports {

namespace {

// The numbers of a dotted version ("1.10.0" -> 1, 10, 0); nullopt when any part is not a number.
std::optional<std::vector<long long>> numbers(const std::string& v) {
    std::vector<long long> out;
    std::size_t at = 0;
    while (at <= v.size()) {
        const std::size_t dot = std::min(v.find('.', at), v.size());
        const std::string part = v.substr(at, dot - at);
        if (part.empty() || part.size() > 15 ||
            !std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            return std::nullopt;
        out.push_back(std::stoll(part));
        at = dot + 1;
    }
    return out;
}

int as_int(pack::Tone t) {
    return t == pack::Tone::Positive ? 1 : t == pack::Tone::Middling ? 0 : -1;
}

// Adds each of `items` not already named, in their order, with its name in the reports' language.
template <class T, class Label>
void add_new(std::vector<Named>& to, const pack::Pack& p, const std::vector<T>& items, Label label) {
    for (const auto& x : items)
        if (std::none_of(to.begin(), to.end(), [&](const Named& n) { return n.id == x.id; }))
            to.push_back({x.id, p.text(label(x), Vocabulary::kLanguage)});
}

std::string name_in(const std::vector<Named>& list, const std::string& id) {
    for (const auto& n : list)
        if (n.id == id) return n.name;
    return id;
}

} // namespace

bool version_before(const std::string& a, const std::string& b) {
    const auto na = numbers(a), nb = numbers(b);
    if (na && nb) return *na < *nb;
    if (na.has_value() != nb.has_value()) return nb.has_value(); // a version in numbers comes after one that isn't
    return a < b;
}

std::vector<PackPtr> load_pack_versions(const std::filesystem::path& root, std::vector<std::string>& problems) {
    std::vector<PackPtr> all;
    std::error_code ec;
    std::vector<std::filesystem::path> dirs;
    for (const auto& entry : std::filesystem::directory_iterator(root, ec))
        if (entry.is_directory() && std::filesystem::exists(entry.path() / "pack.json")) dirs.push_back(entry.path());
    if (ec) problems.push_back("can't read " + root.string() + ": " + ec.message());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& dir : dirs) {
        auto r = pack::load_pack(dir);
        if (!r.ok()) {
            problems.push_back(dir.string() + ": " +
                               (r.problems.empty() ? std::string("can't be read") : r.problems.front().str()));
            continue;
        }
        const bool twice = std::any_of(all.begin(), all.end(), [&](const PackPtr& p) {
            return p->id == r.pack->id && p->version == r.pack->version;
        });
        if (twice) {
            problems.push_back(dir.string() + ": the pack \"" + r.pack->id + "\" " + r.pack->version +
                               " is in another folder too; the first one is used");
            continue;
        }
        all.push_back(r.pack);
    }
    std::stable_sort(all.begin(), all.end(), [](const PackPtr& a, const PackPtr& b) {
        return a->id != b->id ? a->id < b->id : version_before(a->version, b->version);
    });
    return all;
}

Packs newest(const std::vector<PackPtr>& all) {
    Packs out;
    for (const auto& p : all) {
        auto& slot = out[p->id];
        if (!slot || version_before(slot->version, p->version)) slot = p;
    }
    return out;
}

Vocabulary::Vocabulary(std::vector<PackPtr> all) : all_(std::move(all)) {
    std::stable_sort(all_.begin(), all_.end(), [](const PackPtr& a, const PackPtr& b) {
        return a->id != b->id ? a->id < b->id : version_before(a->version, b->version);
    });
    // The newest version of each pack names things first: a later version's
    // words replace an earlier one's, and its order is the one shown.
    std::vector<PackPtr> by_newest;
    for (const auto& [id, p] : newest(all_))
        by_newest.push_back(p);
    for (const auto& p : all_)
        if (std::find(by_newest.begin(), by_newest.end(), p) == by_newest.end()) by_newest.push_back(p);
    for (const auto& p : by_newest) {
        add_new(measures_, *p, p->measures, [](const pack::Measure& m) -> const pack::Text& { return m.statement; });
        add_new(areas_, *p, p->service_areas, [](const pack::ServiceArea& a) -> const pack::Text& { return a.label; });
        add_new(visits_, *p, p->visit_types, [](const pack::VisitType& v) -> const pack::Text& { return v.label; });
        add_new(bands_, *p, p->bands, [](const pack::Band& b) -> const pack::Text& { return b.label; });
    }
}

std::string Vocabulary::measure_name(const std::string& id) const {
    return name_in(measures_, id);
}

int Vocabulary::measure_rank(const std::string& id) const {
    const auto it = std::find_if(measures_.begin(), measures_.end(), [&](const Named& n) { return n.id == id; });
    return static_cast<int>(it - measures_.begin());
}

std::vector<std::string> Vocabulary::measure_order(const std::set<std::string>& pack_ids) const {
    std::vector<Named> order;
    for (const auto& [id, p] : newest(all_))
        if (pack_ids.count(id))
            add_new(order, *p, p->measures, [](const pack::Measure& m) -> const pack::Text& { return m.statement; });
    std::vector<std::string> out;
    for (const auto& n : order)
        out.push_back(n.id);
    return out;
}

std::string Vocabulary::fingerprint() const {
    std::string out;
    for (const auto& p : all_)
        out += (out.empty() ? "" : " ") + p->id + "@" + p->version;
    return out;
}

std::string Vocabulary::service_area_name(const std::string& id) const {
    return id.empty() ? "Not set" : name_in(areas_, id);
}

std::string Vocabulary::visit_type_name(const std::string& id) const {
    return name_in(visits_, id);
}

std::string Vocabulary::band_name(const std::string& id) const {
    return name_in(bands_, id);
}

std::string Vocabulary::pack_name(const std::string& id, const std::string& version) const {
    const pack::Pack* p = pack_of(id, version);
    return (p ? p->text(p->title, kLanguage) : id) + " " + version;
}

const pack::Pack* Vocabulary::pack_of(const std::string& id, const std::string& version) const {
    const pack::Pack* found = nullptr;
    for (const auto& p : all_) {
        if (p->id != id) continue;
        if (p->version == version) return p.get();
        found = p.get(); // the newest so far: they are in version order
    }
    return found;
}

std::optional<int> Vocabulary::tone(const std::string& pack_id, const std::string& version, const std::string& band,
                                    const std::string& question_id, const std::string& kind, bool skipped,
                                    const std::vector<std::string>& options) const {
    if (skipped) return std::nullopt;
    const pack::Pack* p = pack_of(pack_id, version);
    if (!p) return reports::tone(kind, skipped, options);
    const pack::Band* b = p->band(band);
    const pack::Question* q = nullptr;
    if (b)
        for (const auto& x : b->questions)
            if (x.id == question_id) q = &x;
    // A question this version lacks (an older one, renamed since): the kiosk's own reading, if it is one.
    if (!q || kind != pack::kind_name(q->kind)) return reports::tone(kind, skipped, options);
    const pack::Tone t = q->tone(options);
    if (t == pack::Tone::None) return std::nullopt;
    return as_int(t);
}

std::optional<int> tone(const std::string& kind, bool skipped, const std::vector<std::string>& options) {
    if (skipped || options.size() != 1) return std::nullopt;
    const std::string& o = options[0];
    if (kind == "faces") {
        if (o == "very_sad" || o == "sad") return -1;
        if (o == "ok") return 0;
        if (o == "happy" || o == "very_happy") return 1;
    } else if (kind == "yes_no") {
        if (o == "no") return -1;
        if (o == "not_sure") return 0;
        if (o == "yes") return 1;
    }
    return std::nullopt;
}

} // namespace sayso::collector::reports
