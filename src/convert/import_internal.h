// Internal to the importers: input checks and the HTML walk that the Markdown importer also
// uses for raw HTML blocks.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "convert/prosemirror_model.h"

namespace tandem::convert {

//! Size limit (kMaxImportBytes) and UTF-8 validity; `what` names the format in the error.
Status check_import_input(std::string_view input, std::string_view what);

//! The body of `html` as normalized block content (empty when it has none), built at
//! nesting depth `depth`. REQUIRES: html checked by check_import_input.
std::vector<PmNode> html_to_blocks(std::string_view html, int depth);

//! HTML whitespace rules for text blocks (ProseMirror's DOMParser without preserveWhitespace):
//! in every paragraph and heading, runs of whitespace collapse to one space, and spaces at
//! the start, the end and around hard breaks go. Empty text nodes are removed.
void collapse_block_whitespace(PmNode& node);

}  // namespace tandem::convert
