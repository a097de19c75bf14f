// Statistical disclosure control for the reports (SECURITY.md): local
// recoding, so every cell a figure is added up from holds at least
// `min_group` children or none.
//
// A finest cell is one service area, month, visit type, age band and
// practitioner code. Where a cell holds fewer than `min_group` children (for
// the responses, and separately for each measure's answers), its rows are
// published under a coarser cell instead, a value replaced by kKeptTogether:
// first its visit type, then its age band, then its month, then its
// practitioner code, each step taken only by the rows still in too small a
// cell, until the cell they share holds enough children; rows that never get
// there (fewer than `min_group` such children in the area ever) count in no
// figure. The service area is never recoded: it is how managers' reach is cut.
//
// Every figure is then a sum over whole published cells, so any difference of
// figures (filters, date ranges, pages, downloads, roles) is a sum over whole
// cells too: it is about none, or `min_group` or more, children.
#pragma once

#include "store.hpp"

#include <optional>

namespace sayso::collector::reports {

// The value of a recoded dimension: kept together with others.
inline constexpr const char* kKeptTogether = "*";

// Rebuilds report_recode from the indexed rows, in one transaction.
std::optional<StoreError> recode(Store& store, int min_group);

} // namespace sayso::collector::reports
