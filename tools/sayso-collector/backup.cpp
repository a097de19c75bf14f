#include "backup.hpp"

#include "random/random.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace sayso::collector {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPostgresBackup =
    "a PostgreSQL store is backed up with PostgreSQL's own tool while the collectors run: "
    "pg_dump --format=custom --file FILE 'postgresql://...' (README.md, \"Deploying\")";
constexpr const char* kPostgresRestore =
    "a PostgreSQL store is restored with PostgreSQL's own tool into a new, empty database: "
    "pg_restore --no-owner --dbname 'postgresql://...' FILE (README.md, \"Deploying\")";

struct Db {
    sqlite3* db = nullptr;
    ~Db() { sqlite3_close_v2(db); }
    std::string error() const { return db ? sqlite3_errmsg(db) : "out of memory"; }
};

bool is_postgresql(const std::string& spec) {
    return spec.rfind("postgresql://", 0) == 0 || spec.rfind("postgres://", 0) == 0;
}

Stored<fs::path> sqlite_path(const std::string& spec, const char* postgres_words) {
    if (is_postgresql(spec)) return StoreError{postgres_words};
    if (spec.rfind("sqlite:", 0) != 0 || spec.size() <= 7)
        return StoreError{"--store must be sqlite:PATH or postgresql://..., not \"" + spec + "\""};
    return fs::path(spec.substr(7));
}

// One integer from a query, or why not.
Stored<std::int64_t> scalar(sqlite3* db, const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) return StoreError{sqlite3_errmsg(db)};
    const int rc = sqlite3_step(s);
    const std::int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    const std::string why = rc == SQLITE_ROW ? "" : sqlite3_errmsg(db);
    sqlite3_finalize(s);
    if (!why.empty()) return StoreError{why};
    return v;
}

// The file at `db` is whole, and is a collector's store: the backup's own checks, and restore's of its input.
Stored<std::int64_t> check_store(sqlite3* db, const std::string& what) {
    sqlite3_stmt* s = nullptr;
    std::string verdict;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        if (const auto* t = sqlite3_column_text(s, 0)) verdict = reinterpret_cast<const char*>(t);
    sqlite3_finalize(s);
    if (verdict != "ok")
        return StoreError{what + " is not a whole SQLite database (" +
                          (verdict.empty() ? sqlite3_errmsg(db) : verdict) + ")"};
    auto tables = scalar(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                             "('responses', 'answers', 'devices')");
    if (!tables) return StoreError{what + " can't be read: " + tables.problem().message};
    if (*tables != 3) return StoreError{what + " is a SQLite database, but not a Sayso collector's store"};
    auto n = scalar(db, "SELECT count(*) FROM responses");
    if (!n) return StoreError{what + " can't be read: " + n.problem().message};
    return *n;
}

// A new file beside `near`, with a name of its own (no other run or file can
// have it), that only its owner may read; made before SQLite opens it, so it is
// never readable by others. Returns its name and an open descriptor.
Stored<std::pair<fs::path, int>> create_private_beside(const fs::path& near) {
    for (int tries = 0; tries < 100; ++tries) {
        fs::path p = near;
        p += "." + random::random_hex(4) + ".part";
        const int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) return std::pair<fs::path, int>{p, fd};
        if (errno != EEXIST) return StoreError{"can't create " + p.string() + ": " + std::strerror(errno)};
    }
    return StoreError{"can't find a free name beside " + near.string()};
}

Stored<void> sync_path(const fs::path& p, int flags) {
    const int fd = ::open(p.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return StoreError{"can't open " + p.string() + ": " + std::strerror(errno)};
    const bool ok = ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok) return StoreError{"can't write " + p.string() + " to the disk: " + std::strerror(err)};
    return {};
}

// Copies `from` (an open database) into the new file `to` with SQLite's
// backup API, in one step: one read transaction on `from`, so the copy is
// consistent while others write. `to` ends as one file (no write-ahead log),
// checked, on the disk, under its name; on any failure nothing is left.
Stored<BackupFacts> copy_database(sqlite3* from, const fs::path& to, const std::string& journal_mode) {
    auto made = create_private_beside(to);
    if (!made) return made.problem();
    const fs::path part = made->first;
    const int fd = made->second;
    // Only this run's own file, and SQLite's beside it, are ever deleted.
    auto fail = [&](std::string why) -> Stored<BackupFacts> {
        ::close(fd);
        std::error_code ignored;
        fs::remove(part, ignored);
        fs::path wal = part, shm = part, journal = part;
        fs::remove(wal += "-wal", ignored);
        fs::remove(shm += "-shm", ignored);
        fs::remove(journal += "-journal", ignored);
        return StoreError{std::move(why)};
    };
    BackupFacts facts;
    {
        Db dest;
        if (sqlite3_open_v2(part.c_str(), &dest.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
            return fail("can't open " + part.string() + ": " + dest.error());
        sqlite3_backup* b = sqlite3_backup_init(dest.db, "main", from, "main");
        if (!b) return fail("can't start the copy: " + dest.error());
        int rc = SQLITE_OK;
        // Busy only while a writer commits: a few tries, then say so.
        for (int tries = 0; tries < 100; ++tries) {
            rc = sqlite3_backup_step(b, -1);
            if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        sqlite3_backup_finish(b);
        if (rc != SQLITE_DONE)
            return fail(std::string("the copy did not finish: ") +
                        (rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? "the store stayed busy for 10 s" : dest.error()));
        if (sqlite3_exec(dest.db, ("PRAGMA journal_mode=" + journal_mode).c_str(), nullptr, nullptr, nullptr) !=
            SQLITE_OK)
            return fail("can't set the copy's journal: " + dest.error());
        auto checked = check_store(dest.db, "the copy");
        if (!checked) return fail(checked.problem().message);
        facts.responses = *checked;
    }
    if (::fsync(fd) != 0) return fail("can't write " + part.string() + " to the disk: " + std::strerror(errno));
    // The name is taken last, and only if nothing has it meanwhile.
    if (::link(part.c_str(), to.c_str()) != 0)
        return fail("can't name the copy " + to.string() + ": " + std::strerror(errno));
    ::close(fd);
    std::error_code ec;
    fs::remove(part, ec);
    const fs::path dir = to.has_parent_path() ? to.parent_path() : fs::path(".");
    if (auto synced = sync_path(dir, O_RDONLY | O_DIRECTORY); !synced) return synced.problem();
    facts.bytes = static_cast<std::int64_t>(fs::file_size(to, ec));
    return facts;
}

} // namespace

Stored<BackupFacts> backup_store(const std::string& spec, const fs::path& out) {
    auto path = sqlite_path(spec, kPostgresBackup);
    if (!path) return path.problem();
    std::error_code ec;
    if (!fs::exists(*path, ec)) return StoreError{"there is no store at " + path->string()};
    if (fs::exists(out, ec) || fs::is_symlink(out, ec))
        return StoreError{out.string() + " is there already, and a backup never overwrites a file"};
    Db src;
    // Read and write, not read only: a reader of a store in WAL mode may have
    // to make its shared-memory index; nothing is written to the store.
    if (sqlite3_open_v2(path->c_str(), &src.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
        return StoreError{"can't open " + path->string() + ": " + src.error()};
    sqlite3_busy_timeout(src.db, 10'000);
    if (auto checked = check_store(src.db, path->string()); !checked) return checked.problem();
    return copy_database(src.db, out, "DELETE");
}

Stored<BackupFacts> restore_store(const fs::path& from, const std::string& spec) {
    auto path = sqlite_path(spec, kPostgresRestore);
    if (!path) return path.problem();
    std::error_code ec;
    // The old store's write-ahead log left beside the new one would be played into it when it opens.
    for (const char* tail : {"", "-wal", "-shm", "-journal"}) {
        fs::path p = *path;
        p += tail;
        if (fs::exists(p, ec) || fs::is_symlink(p, ec))
            return StoreError{p.string() +
                              " is there already: a backup is restored into a new store only (stop the collectors "
                              "and move the old store, with its -wal and -shm files, aside first)"};
    }
    if (!fs::is_regular_file(from, ec)) return StoreError{"there is no backup at " + from.string()};
    Db src;
    if (sqlite3_open_v2(from.c_str(), &src.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        return StoreError{"can't open " + from.string() + ": " + src.error()};
    if (auto checked = check_store(src.db, from.string()); !checked) return checked.problem();
    auto copied = copy_database(src.db, *path, "WAL");
    if (!copied) return copied;
    // Opened as a collector opens it: an earlier collector's schema is brought up to date now.
    auto opened = open_store(spec);
    if (!opened) return StoreError{"the store was restored to " + path->string() + ", but " + opened.words()};
    auto n = (*opened)->count();
    if (!n) return n.problem();
    copied->responses = *n;
    return copied;
}

} // namespace sayso::collector
