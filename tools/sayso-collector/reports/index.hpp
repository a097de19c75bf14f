// The report index: every response and answer the collector holds, as rows
// reports can count in the database (tone, skip, and every field a report
// filters on). Sealed answers are opened in memory with the collector's keys;
// only their tone is kept, never their words.
#pragma once

#include "keys.hpp"
#include "recode.hpp"
#include "store.hpp"
#include "vocabulary.hpp"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sayso::collector::reports {

// Reading the store's rows: a boolean as either store writes it, "?,?,..."
// for an IN list, and an answer from its five stored columns (kAnswerColumns,
// in that order from `at`), opened with the keys when it is sealed; one that
// can't be opened holds nothing else, and the keys' problem says why.
bool truth(const std::string& v);
std::string placeholders(std::size_t n);
inline constexpr const char* kAnswerColumns = "skipped, options, text, sealed, seal_key";
[[nodiscard]] KeysResult<void> read_answer(const Store::Row& row, std::size_t at, const std::vector<SealKeyPair>& keys,
                                           Answer& out);

// Gives the index's mark (report_state.last_seq, "0" before the first run),
// locking it for the rest of the transaction on PostgreSQL (SQLite's writer
// holds the whole store): one index or recoding run at a time.
Stored<std::string> lock_index_mark(Store& store);

// INSERTs `flat` (row after row of `cols` values) after `head` ("INSERT INTO t
// (a, b) VALUES "), a hundred rows a statement, each statement ending in `tail`.
Stored<void> insert_rows(Store& store, const std::string& head, std::size_t cols, const std::vector<Store::Param>& flat,
                         const std::string& tail = " ON CONFLICT DO NOTHING");

struct Indexed {
    std::int64_t responses = 0, answers = 0;
};

// Indexes the responses that arrived since the last call, and gives how many
// it indexed. Each answer is filed under the measure it was sent with, its
// pack and version, and its tone as `words` (the packs) read it at that
// version; when the pack versions given change, the index is built again.
// An answer none of `keys` opens is counted in no figure and kept in
// report_unopened, with why; it never stops the index. Then recodes what
// is published (recode.hpp) so every published cell holds `min_group`
// children or none, as of `month_now` (YYYY-MM; "" for the clock's), about
// `rows_per_run` rows a transaction. `stop`, when set, ends it between two
// transactions; the next call goes on from there.
Stored<Indexed> index_new(Store& store, const std::vector<SealKeyPair>& keys, const Vocabulary& words = {},
                          int min_group = 5, const std::string& month_now = "", std::size_t rows_per_run = kRowsPerRun,
                          const std::atomic<bool>* stop = nullptr);

} // namespace sayso::collector::reports
