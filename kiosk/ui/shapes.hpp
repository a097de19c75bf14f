// Round shapes drawn the way a software rasteriser draws them fast: a rounded
// rectangle is three rectangles and four quarter-discs, a disc is one picture
// of itself. The discs are made once per radius (anti-aliased as a pixel's
// coverage of the circle) and kept; the rectangles are filled. Corners and
// edges land on whole pixels, so nothing is scaled when it is drawn. Pictures
// are kept scaled to the sizes they are shown at, for the same reason.
#pragma once

#include "textures.hpp"

#include <imgui.h>

#include <cstdint>
#include <list>
#include <map>
#include <tuple>

struct SDL_Renderer;
struct SDL_Texture;

namespace sayso::ui {

class Shapes {
  public:
    explicit Shapes(SDL_Renderer* renderer) : renderer_(renderer) {}
    ~Shapes();
    Shapes(const Shapes&) = delete;
    Shapes& operator=(const Shapes&) = delete;

    // As ImDrawList::AddRectFilled with `rounding` on every corner.
    void rounded(ImDrawList* dl, ImVec2 min, ImVec2 max, ImU32 colour, float rounding);
    // As ImDrawList::AddCircleFilled.
    void disc(ImDrawList* dl, ImVec2 centre, float radius, ImU32 colour);
    // `pic` at `w` x `h` pixels, scaled once and kept (the original when it
    // can't be, or is that size already).
    Picture sized(Picture pic, int w, int h);
    // Called as each frame starts: a picture scaled for this frame is kept through it.
    void next_frame() { ++frame_; }

  private:
    SDL_Texture* disc_texture(int radius); // white, 2r x 2r; null if it can't be made
    SDL_Renderer* renderer_;
    std::map<int, SDL_Texture*> discs_;
    // Scaled pictures, the least recently drawn first out when there are too many.
    using Key = std::tuple<std::uint64_t, int, int>; // the picture's serial, its size
    struct Scaled {
        Picture pic;
        std::list<Key>::iterator age;
        std::uint64_t frame = 0; // last drawn in
    };
    std::uint64_t frame_ = 0;
    std::map<Key, Scaled> scaled_;
    std::list<Key> order_;
};

} // namespace sayso::ui
