// Draws a frame's ImGui draw lists with an SDL_Renderer, as Dear ImGui's own
// SDL_Renderer backend does, but giving SDL what its software renderer draws
// fast: a rectangle of one colour on whole pixels is filled
// (SDL_RenderFillRect), and a picture or glyph drawn at its own size on whole
// pixels is copied (SDL_RenderCopy); everything else goes to
// SDL_RenderGeometry, in the same order. SDL's software rasteriser visits
// every pixel of each triangle's bounding box, so a rectangle as two
// triangles costs twice its area and a thin sloping triangle far more; a fill
// or a copy costs its area once, at memory speed. On a GPU renderer the same
// calls cost about what the triangles did.
#pragma once

#include <cstdint>

struct ImDrawData;
struct SDL_Renderer;

namespace sayso::ui {

struct RasterCounts {
    int fills = 0, copies = 0, triangles = 0; // the last frame's, for benchmarks and tests
};

// A texture whose user data is this (SDL_SetTextureUserData) is copied
// scaled when drawn whole into a rectangle of another size: a child's
// canvas, shown at whatever size the screen gives it.
inline void* const kScaledCopies = const_cast<char*>("sayso: scaled copies");

// Untextured shapes are those that sample the font atlas's white pixel.
RasterCounts render_draw_data(SDL_Renderer* renderer, ImDrawData* data);

// A hash of everything a frame's draw lists say (vertices, indices, textures,
// clip rectangles, size) and `salt`: equal hashes draw the same pixels, as
// long as no texture changed its pixels under the same address (the salt
// carries what would: the flow's version).
std::uint64_t draw_data_hash(const ImDrawData* data, std::uint64_t salt);

} // namespace sayso::ui
