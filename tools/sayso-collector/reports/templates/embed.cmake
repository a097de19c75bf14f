# Writes the report templates into one C++ source, so the collector needs no
# files at run time: cmake -DOUT=templates.cpp -DFILES="a.mustache;b.css" -P embed.cmake
# Each file becomes {"name", "text"}, its name the file's without the extension.
set(body "// Generated from tools/sayso-collector/reports/templates by embed.cmake: edit those files.\n")
string(APPEND body "#include \"render.hpp\"\n\nnamespace sayso::collector::reports {\n\n")
string(APPEND body "const std::vector<std::pair<std::string, std::string>>& embedded_templates() {\n")
string(APPEND body "    static const std::vector<std::pair<std::string, std::string>> all = {\n")
foreach(file IN LISTS FILES)
  get_filename_component(name "${file}" NAME_WE)
  file(READ "${file}" text)
  string(FIND "${text}" ")sayso_template\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw string's end marker")
  endif()
  string(APPEND body "        {\"${name}\", R\"sayso_template(${text})sayso_template\"},\n")
endforeach()
string(APPEND body "    };\n    return all;\n}\n\n} // namespace sayso::collector::reports\n")
# Rewritten only when it changes, so an unchanged template rebuilds nothing.
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${body}")
  file(WRITE "${OUT}" "${body}")
endif()
