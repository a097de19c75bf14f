// The report pages' HTML comes from the Mustache templates in templates/
// (kainjow-mustache), which escape every value they write: see
// templates/README.md. This is the one place a template is turned into HTML.
#pragma once

#include <kainjow/mustache.hpp>

#include <string>
#include <utility>
#include <vector>

namespace sayso::collector::reports {

namespace mustache = kainjow::mustache;

// Text as HTML: & < > " ' as entities. The escape every template uses.
std::string esc(const std::string& text);

// Every template by name ("service", "_figure", "style"...), as compiled in.
const std::vector<std::pair<std::string, std::string>>& embedded_templates();

// Why a template's text can't be used: it doesn't parse, writes a value
// unescaped ({{{x}}} or {{&x}}), changes its delimiters, or includes a
// partial that is not one of the templates. Empty when it can.
std::string template_problem(const std::string& name, const std::string& text);

// A whole page: the document's start (its head up to the inlined stylesheet,
// the same for every page, no value in it) and then the named template.
std::string render_page(const std::string& name, const mustache::data& view);

// The named template filled from `view`; its partials ({{> _header}}) are
// the other templates. Throws std::logic_error for a template with a problem
// (a build mistake the tests catch, never input from outside).
std::string render(const std::string& name, const mustache::data& view);

} // namespace sayso::collector::reports
