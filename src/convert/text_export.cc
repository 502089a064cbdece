// render_text (export.h): the document as a person would type it in a plain-text file.
//   top level and quotes: blocks separated by a blank line
//   list items: one per line, "- " or "N. " (numbered from the list's start), continuation
//   lines and nested lists indented under the item's text; an item's blocks on their own lines
//   blockquote: every line prefixed with "> "; code block: its text as is; horizontal rule: ---
//   hard break: a newline
#include <string>
#include <vector>

#include "convert/export.h"

namespace tandem::convert {

namespace {

bool is_inline(const PmNode& n) {
  if (n.is_text()) return true;
  const NodeSpec* spec = find_node_spec(n.type);
  return spec != nullptr && spec->inline_node;
}

void inline_text(const PmNode& n, std::string& out) {
  if (n.is_text()) {
    out += n.text;
  } else if (n.type == "hardBreak") {
    out += '\n';
  } else {
    for (const PmNode& c : n.content) inline_text(c, out);
  }
}

// Prefixes the first line with `first` and every other non-empty line with `rest`.
std::string prefix_lines(const std::string& s, const std::string& first, const std::string& rest,
                         bool prefix_empty) {
  std::string out;
  size_t start = 0;
  bool is_first = true;
  while (true) {
    size_t nl = s.find('\n', start);
    std::string line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (is_first) {
      out += first;
    } else if (!line.empty() || prefix_empty) {
      out += rest;
    }
    out += line;
    is_first = false;
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

std::string render_blocks(const std::vector<PmNode>& nodes, const char* separator);

std::string render_list(const PmNode& list) {
  bool ordered = list.type == "orderedList";
  long long number = 1;
  if (ordered && list.attr("start") != nullptr) {
    number = any_to_integer(*list.attr("start")).value_or(1);
  }
  std::string out;
  for (const PmNode& item : list.content) {
    std::string marker = ordered ? std::to_string(number++) + ". " : "- ";
    std::string body = item.type == "listItem" ? render_blocks(item.content, "\n")
                                               : render_blocks({item}, "\n");
    if (!out.empty()) out += '\n';
    std::string first = marker;
    if (body.empty() || body[0] == '\n') first.pop_back();  // no trailing space on "-"
    out += prefix_lines(body, first, std::string(marker.size(), ' '), false);
  }
  return out;
}

std::string render_block(const PmNode& n) {
  const std::string& t = n.type;
  if (t == "bulletList" || t == "orderedList") return render_list(n);
  if (t == "blockquote") {
    std::string body = render_blocks(n.content, "\n\n");
    std::string quoted = prefix_lines(body, "> ", "> ", true);
    // Empty quoted lines as ">" rather than "> ".
    std::string out;
    size_t start = 0;
    while (true) {
      size_t nl = quoted.find('\n', start);
      std::string line = quoted.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (line == "> ") line = ">";
      out += line;
      if (nl == std::string::npos) break;
      out += '\n';
      start = nl + 1;
    }
    return out;
  }
  if (t == "horizontalRule") return "---";
  if (t == "paragraph" || t == "heading" || t == "codeBlock") {
    std::string out;
    for (const PmNode& c : n.content) inline_text(c, out);
    return out;
  }
  // Unknown nodes, doc, stray list items: their children.
  return render_blocks(n.content, "\n\n");
}

std::string render_blocks(const std::vector<PmNode>& nodes, const char* separator) {
  std::vector<std::string> blocks;
  for (size_t i = 0; i < nodes.size();) {
    if (is_inline(nodes[i])) {
      std::string text;
      for (; i < nodes.size() && is_inline(nodes[i]); ++i) inline_text(nodes[i], text);
      blocks.push_back(std::move(text));
    } else {
      blocks.push_back(render_block(nodes[i]));
      ++i;
    }
  }
  std::string out;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (i > 0) out += separator;
    out += blocks[i];
  }
  return out;
}

}  // namespace

std::string render_text(const PmNode& doc) {
  std::string out = render_blocks(doc.content, "\n\n");
  // Trailing empty paragraphs (TipTap keeps one at the end) are not trailing blank lines.
  while (!out.empty() && out.back() == '\n') out.pop_back();
  if (!out.empty()) out += '\n';
  return out;
}

}  // namespace tandem::convert
