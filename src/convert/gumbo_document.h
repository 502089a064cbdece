// GumboDocument: owns one gumbo parse. Gumbo allocates through an arena that this object owns
// and frees in one go, so the tree is never freed by gumbo_destroy_output, whose recursion
// over the tree could overflow the stack on deeply nested hostile HTML. Not copyable; one
// thread.
#pragma once

#include <gumbo.h>

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace tandem::convert {

class GumboDocument {
 public:
  //! Parses `html` (an HTML document or a fragment of one, as browsers parse it). The text must
  //! outlive this object (gumbo points into it).
  explicit GumboDocument(std::string_view html);
  GumboDocument(const GumboDocument&) = delete;
  GumboDocument& operator=(const GumboDocument&) = delete;
  ~GumboDocument() = default;

  //! The <html> element, or nullptr if the parse failed (out of memory).
  const GumboNode* root() const { return output_ != nullptr ? output_->root : nullptr; }

 private:
  static void* allocate(void* self, size_t size);
  static void deallocate(void* self, void* ptr);

  struct Block {
    std::unique_ptr<std::byte[]> data;
    size_t size;
  };
  std::vector<Block> blocks_;
  size_t used_ = 0;  // in blocks_.back()
  GumboOutput* output_ = nullptr;
};

}  // namespace tandem::convert
