// The collector's schema as numbered steps, the same list for both stores
// (SQLite and PostgreSQL each have their own words for a step). A store
// keeps the number of the last step it took in `collector_schema`; opening
// it takes the steps it lacks, each with its number in one transaction. A
// store made before numbers were kept is read as step 0 and brought up the
// same way: a step that adds a column the store has already is taken as done.
// Never edit a released step; add a new one.
#pragma once

#include "store.hpp"

#include <string>
#include <vector>

namespace sayso::collector {

struct Migration {
    int version;
    std::string what;               // for an error message: "adding responses.case_ref"
    std::string sqlite, postgresql; // the step's statements
    std::string table, column;      // set when the step adds this column
};

const std::vector<Migration>& migrations();
int latest_schema();

// The step the store is at (0: new, or made before steps were numbered).
Stored<int> schema_of(Store& store);
// Takes the steps from the store's own to `target`. A store past every step
// this program knows is refused in words: it was made by a newer collector.
Stored<void> migrate(Store& store, int target = latest_schema());

} // namespace sayso::collector
