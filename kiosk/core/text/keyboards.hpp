// The letters of the on-screen keyboard, by language.
#pragma once

#include <string>
#include <vector>

namespace sayso::text {

// Rows of keys, one character each, for `lang` ("codes": capitals, digits and
// - / . _ for practitioner codes; "url": small letters, digits and : / . -
// for a collector's address). A language without a layout of its own gets
// the Latin one.
const std::vector<std::vector<std::string>>& keyboard_rows(const std::string& lang);
// The layouts there are.
const std::vector<std::string>& keyboard_layouts();

} // namespace sayso::text
