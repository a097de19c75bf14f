// Statistical disclosure control for the reports (SECURITY.md): local
// recoding, so every cell a figure is added up from holds at least
// `min_group` children or none, and grows only by `min_group` or more.
//
// A finest cell is one service area, month, visit type, age band and
// practitioner code. Each is published under one cut, once and for good
// (report_recode): itself when its children are enough, else a coarser cut,
// a value replaced by kKeptTogether: first its visit type, then its age band,
// then its month, then its practitioner code, each step taken only by the
// cells still in too small a group, until the group holds enough children.
// The service area is never recoded: it is how managers' reach is cut.
//
// Rows arrive as children answer, so a row is not counted when it is
// indexed (counted = 0): the rows waiting in the cells of one cut are counted
// together, when they alone are about `min_group` children or more (the
// responses, and apart from them each measure's answers). So every figure is
// a sum over whole published cuts, and between any two moments a cut grows by
// `min_group` children or more, or not at all: any difference of figures
// (filters, date ranges, pages, downloads, roles, a page saved yesterday and
// one today) is about none, or `min_group` or more, children.
//
// Children are counted by case reference; responses without one count as one
// child in each finest cell, whoever gave them.
//
// A cell of the month the recoding runs in is published only as itself: the
// month is still open and more children will come, so it is not yet kept
// together with others.
#pragma once

#include "store.hpp"

#include <atomic>
#include <cstddef>
#include <string>

namespace sayso::collector::reports {

// The value of a recoded dimension: kept together with others.
inline constexpr const char* kKeptTogether = "*";

// About how many waiting rows one of its transactions counts (a group of
// rows counted together is never split).
inline constexpr std::size_t kRowsPerRun = 20'000;

// Publishes the rows not counted yet: a larger group size than ever asked
// for first (every cut made again), in one short transaction; then where new
// cells are published, planned on a snapshot and written in one short
// transaction (planned again there, holding the lock, when another collector
// changed what the plan read); then the groups counted, whole, in
// transactions of about `rows_per_run` rows, so other writes never wait long. `month_now` is
// YYYY-MM; "" takes it from the clock (UTC).
// `stop`, when set, ends the run between two of its transactions (the next
// run goes on from there).
Stored<void> recode(Store& store, int min_group, const std::string& month_now = "",
                    std::size_t rows_per_run = kRowsPerRun, const std::atomic<bool>* stop = nullptr);

// The month it is now, YYYY-MM in UTC.
std::string this_month();

} // namespace sayso::collector::reports
