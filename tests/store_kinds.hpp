// The two collector stores a test can run on: SQLite in a temporary folder,
// and a database in the throwaway PostgreSQL cluster (skipped, and said so,
// where PostgreSQL can't start).
#pragma once

#include "postgres.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

namespace test {

struct SqliteKind {
    TempDir tmp;
    bool available() { return true; }
    std::string spec() { return "sqlite:" + (tmp / "c.db").string(); }
};

struct PostgresKind {
    std::string uri;
    bool available() {
        if (!postgres().running()) {
            MESSAGE("PostgreSQL could not start here, so this check is skipped: " << postgres().why_not());
            return false;
        }
        if (uri.empty()) uri = postgres().new_database();
        return true;
    }
    std::string spec() { return uri; }
};

} // namespace test
