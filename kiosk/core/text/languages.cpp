#include "text/languages.hpp"

namespace sayso::text {

const std::vector<Language>& languages() {
    // Languages spoken by families in contact with UK children's services,
    // limited to those the kiosk has a font for.
    static const std::vector<Language> all = {
        {"en", "English", "English", false, "en-gb"},
        {"pl", "Polski", "Polish", false, "pl"},
        {"ur", "\u0627\u0631\u062f\u0648", "Urdu", true, "ur"},
        {"pa-Guru", "\u0a2a\u0a70\u0a1c\u0a3e\u0a2c\u0a40", "Punjabi (Gurmukhi)", false, "pa"},
        {"pa", "\u0a2a\u0a70\u0a1c\u0a3e\u0a2c\u0a40", "Punjabi", false, "pa"},
        {"bn", "\u09ac\u09be\u0982\u09b2\u09be", "Bengali", false, "bn"},
        {"ar", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "Arabic", true, "ar"},
        {"fa", "\u0641\u0627\u0631\u0633\u06cc", "Persian", true, "fa"},
        {"ro", "Rom\u00e2n\u0103", "Romanian", false, "ro"},
        {"cy", "Cymraeg", "Welsh", false, "cy"},
        {"lt", "Lietuvi\u0173", "Lithuanian", false, "lt"},
        {"pt", "Portugu\u00eas", "Portuguese", false, "pt"},
        {"es", "Espa\u00f1ol", "Spanish", false, "es"},
        {"fr", "Fran\u00e7ais", "French", false, "fr"},
        {"so", "Soomaali", "Somali", false, ""},
        {"hi", "\u0939\u093f\u0928\u094d\u0926\u0940", "Hindi", false, "hi"},
        {"he", "\u05e2\u05d1\u05e8\u05d9\u05ea", "Hebrew", true, "he"},
    };
    return all;
}

const Language* find_language(const std::string& code) {
    if (code.empty()) return nullptr;
    for (const auto& l : languages())
        if (l.code == code) return &l;
    const auto dash = code.find('-');
    if (dash != std::string::npos) return find_language(code.substr(0, dash));
    return nullptr;
}

std::string endonym(const std::string& code) {
    const Language* l = find_language(code);
    return l ? l->name : code;
}

} // namespace sayso::text
