// GumboDocument (gumbo_document.h): a bump arena for gumbo's allocations.
#include "convert/gumbo_document.h"

#include <algorithm>

namespace tandem::convert {

namespace {
constexpr size_t kArenaBlock = 256 * 1024;  // gumbo allocates many small nodes and strings
constexpr size_t kAlign = alignof(std::max_align_t);
}  // namespace

GumboDocument::GumboDocument(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.allocator = &GumboDocument::allocate;
  options.deallocator = &GumboDocument::deallocate;
  options.userdata = this;
  options.max_errors = 0;  // the errors are not used: do not record them
  output_ = gumbo_parse_with_options(&options, html.data(), html.size());
}

void* GumboDocument::allocate(void* self, size_t size) {
  auto* doc = static_cast<GumboDocument*>(self);
  size = (std::max<size_t>(size, 1) + kAlign - 1) / kAlign * kAlign;
  if (doc->blocks_.empty() || doc->used_ + size > doc->blocks_.back().size) {
    size_t block = std::max(kArenaBlock, size);
    doc->blocks_.push_back(Block{std::make_unique<std::byte[]>(block), block});
    doc->used_ = 0;
  }
  void* p = doc->blocks_.back().data.get() + doc->used_;
  doc->used_ += size;
  return p;
}

void GumboDocument::deallocate(void* /*self*/, void* /*ptr*/) {
  // Freed with the arena.
}

}  // namespace tandem::convert
