// The packs installed on this kiosk: every pack folder under one directory,
// each kept at its last good version when a newer copy turns out broken.
#pragma once

#include "pack/pack.hpp"
#include "pack/signature.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace sayso::pack {

class Shelf {
  public:
    // Only packs signed by a key in `trust` are taken (or unsigned ones, when it allows them).
    Shelf(std::filesystem::path root, Trust trust) : root_(std::move(root)), trust_(std::move(trust)) {}
    const Trust& trust() const { return trust_; }

    // Rescans the root folder. A folder whose files did not change is not
    // read again. A folder whose pack is now broken keeps its last good
    // version and its problems are reported. Returns true if anything changed.
    bool reload();

    // Good packs, ordered by folder name. Sessions hold their own shared_ptr,
    // so a reload never changes a pack under a child who is answering it.
    // Only packs in use: an admin can take a pack out of use without removing it.
    const std::vector<std::shared_ptr<const Pack>>& packs() const { return packs_; }
    // Every good pack, in use or not.
    const std::vector<std::shared_ptr<const Pack>>& all() const { return all_; }
    std::shared_ptr<const Pack> find(const std::string& id) const;
    // Pack ids taken out of use.
    void set_disabled(std::set<std::string> ids);
    const std::set<std::string>& disabled() const { return disabled_; }

    // Problems of the folders whose latest copy was refused (errors and warnings).
    const std::vector<Problem>& problems() const { return problems_; }
    // Folders whose latest copy was refused, so an older good copy (if any) is in use.
    const std::vector<std::string>& refused() const { return refused_; }
    const std::filesystem::path& root() const { return root_; }

  private:
    struct Entry {
        std::string signature;
        LoadResult last; // latest attempt
        std::shared_ptr<const Pack> good;
    };
    std::filesystem::path root_;
    Trust trust_;
    std::map<std::string, Entry> entries_; // by folder name
    std::vector<std::shared_ptr<const Pack>> packs_, all_;
    std::set<std::string> disabled_;
    void filter();
    std::vector<Problem> problems_;
    std::vector<std::string> refused_;
};

} // namespace sayso::pack
