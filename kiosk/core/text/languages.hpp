// What the kiosk knows about a language: its name in its own script, which
// way it reads, and the espeak-ng voice that can speak it.
#pragma once

#include <string>
#include <vector>

namespace sayso::text {

struct Language {
    std::string code;    // BCP 47 as packs write it: "en", "pl", "ur", "pa-Guru"
    std::string name;    // in its own script: "Polski", "اردو", "ਪੰਜਾਬੀ"
    std::string english; // for admins: "Polish", "Urdu", "Punjabi (Gurmukhi)"
    bool rtl = false;
    std::string voice; // espeak-ng voice, empty if it has none
};

// The language for a code, trying "pa" for "pa-Guru"; null if unknown.
const Language* find_language(const std::string& code);
// The name a child recognises: the language's own name, else the code itself.
std::string endonym(const std::string& code);
const std::vector<Language>& languages();

} // namespace sayso::text
