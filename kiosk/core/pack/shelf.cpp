#include "pack/shelf.hpp"
#include "tasks/frame_guard.hpp"

#include <algorithm>
#include <set>
#include <system_error>

namespace sayso::pack {

namespace fs = std::filesystem;

namespace {

// Names, sizes and modification times of every file in the folder: cheap to
// compute, and it changes whenever a file is added, removed or rewritten.
std::string signature(const fs::path& dir) {
    std::vector<std::string> parts;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
    std::size_t seen = 0;
    for (; !ec && it != end && seen < 10000; it.increment(ec), ++seen) {
        std::error_code e2;
        auto size = it->is_regular_file(e2) ? it->file_size(e2) : 0;
        auto mtime = it->last_write_time(e2).time_since_epoch().count();
        parts.push_back(it->path().lexically_relative(dir).string() + "|" + std::to_string(size) + "|" +
                        std::to_string(mtime));
    }
    std::sort(parts.begin(), parts.end());
    std::string sig;
    for (const auto& p : parts)
        sig += p + "\n";
    return sig;
}

} // namespace

bool Shelf::reload() {
    tasks::blocking("scanning the pack folder");
    std::error_code ec;
    std::set<std::string> present;
    bool changed = false;
    for (fs::directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code e2;
        if (!it->is_directory(e2)) continue;
        const std::string name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') continue;
        present.insert(name);
        std::string sig = signature(it->path());
        Entry& e = entries_[name];
        if (e.signature == sig && !sig.empty()) continue;
        e.signature = sig;
        e.last = load_pack(it->path());
        if (e.last.ok()) {
            // A good pack from someone this kiosk does not trust is still refused.
            auto sig = check_signature(it->path(), trust_);
            if (!sig.empty()) {
                e.last.pack = nullptr;
                e.last.problems.insert(e.last.problems.end(), sig.begin(), sig.end());
            }
        }
        if (e.last.ok()) e.good = e.last.pack;
        changed = true;
    }
    for (auto it = entries_.begin(); it != entries_.end();) {
        if (!present.count(it->first)) {
            it = entries_.erase(it);
            changed = true;
        } else {
            ++it;
        }
    }
    all_.clear();
    problems_.clear();
    refused_.clear();
    std::set<std::string> ids;
    for (const auto& [name, e] : entries_) {
        if (!e.last.ok()) {
            refused_.push_back(name);
            problems_.insert(problems_.end(), e.last.problems.begin(), e.last.problems.end());
        }
        if (!e.good) continue;
        if (ids.insert(e.good->id).second) {
            all_.push_back(e.good);
        } else {
            problems_.push_back(
                {Problem::Severity::Error, (root_ / name / "pack.json").string(), "$.id",
                 "pack id \"" + e.good->id + "\" is already used by another folder; this copy is ignored"});
            refused_.push_back(name);
        }
    }
    filter();
    return changed;
}

void Shelf::set_disabled(std::set<std::string> ids) {
    disabled_ = std::move(ids);
    filter();
}

void Shelf::filter() {
    packs_.clear();
    for (const auto& p : all_)
        if (!disabled_.count(p->id)) packs_.push_back(p);
}

std::shared_ptr<const Pack> Shelf::find(const std::string& id) const {
    for (const auto& p : packs_)
        if (p->id == id) return p;
    return nullptr;
}

} // namespace sayso::pack
