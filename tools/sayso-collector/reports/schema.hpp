// The reports' tables (tools/sayso-collector/reports), the same for both
// stores but for a few types: one text, filled in for SQLite or PostgreSQL.
#pragma once

#include <string>

namespace sayso::collector::reports {

// Released as step 9 of migrations.cpp: never edit this text. A change to
// the reports' tables is a new step there.
std::string report_schema(bool postgresql);

} // namespace sayso::collector::reports
