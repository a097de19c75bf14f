// Text a plain glyph atlas would draw wrongly (Urdu, Punjabi, Bengali...),
// shaped by sayso::text and drawn as cached textures tinted like ImGui text.
#pragma once

#include "text/shaper.hpp"

#include <imgui.h>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

struct SDL_Renderer;
struct SDL_Texture;

namespace sayso::ui {

class ShapedText {
  public:
    ShapedText(SDL_Renderer* renderer, const std::string& latin_font);
    ~ShapedText();
    ShapedText(const ShapedText&) = delete;
    ShapedText& operator=(const ShapedText&) = delete;

    // The language of the text being drawn (the child's), for face and direction.
    void set_language(const std::string& lang) { lang_ = lang; }
    const std::string& language() const { return lang_; }
    bool rtl() const;
    // Swaps the Latin face (for the dyslexia-friendly font); clears the cache.
    void set_latin_font(const std::string& path);

    std::vector<std::string> wrap(const std::string& text, float px, float width);
    // Width and height of one line.
    ImVec2 measure(const std::string& line, float px);
    // Draws one line with its top-left corner at `at`.
    void draw(ImDrawList* dl, const std::string& line, float px, ImVec2 at, ImU32 colour);
    const std::vector<std::string>& problems() const { return shaper_->problems(); }

  private:
    struct Entry {
        SDL_Texture* texture = nullptr;
        float w = 0, h = 0;
        std::list<std::string>::iterator age;
    };
    Entry& get(const std::string& line, float px);
    void clear();

    SDL_Renderer* renderer_;
    std::unique_ptr<text::Shaper> shaper_;
    std::string lang_;
    std::unordered_map<std::string, Entry> cache_;
    std::list<std::string> order_; // least recently used first
};

} // namespace sayso::ui
