// Backups of a collector's store, and new stores made from them. A SQLite
// store is copied with SQLite's online backup API: one read transaction, so
// the copy is the store as it was at one moment while collectors go on taking
// deliveries. A PostgreSQL store is backed up with PostgreSQL's own pg_dump
// and pg_restore (README.md, "Deploying"); these say so in words.
#pragma once

#include "store.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace sayso::collector {

struct BackupFacts {
    std::int64_t responses = 0; // in the copy
    std::int64_t bytes = 0;     // the copy's size
};

// Copies the store `spec` (sqlite:PATH) into `out`, a new file readable by its
// owner alone, checked whole (integrity_check) before it takes its name; an
// existing `out` is never overwritten.
Stored<BackupFacts> backup_store(const std::string& spec, const std::filesystem::path& out);

// Makes the new store `spec` (sqlite:PATH, which must not exist yet) from the
// backup `from`, checked first, then opens it as a collector does, which
// brings a backup made by an earlier collector up to date.
Stored<BackupFacts> restore_store(const std::filesystem::path& from, const std::string& spec);

} // namespace sayso::collector
