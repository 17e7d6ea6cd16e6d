#include "s3_xml.hpp"

#include <cctype>
#include <charconv>

namespace kino::storage::s3 {
namespace {

// Decodes the five predefined entities and numeric character references below 128; anything else
// is kept as written.
std::string decodeEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    const auto semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 8) {
      out.push_back('&');
      continue;
    }
    const std::string_view name = text.substr(i + 1, semi - i - 1);
    char decoded = 0;
    if (name == "amp")
      decoded = '&';
    else if (name == "lt")
      decoded = '<';
    else if (name == "gt")
      decoded = '>';
    else if (name == "quot")
      decoded = '"';
    else if (name == "apos")
      decoded = '\'';
    else if (name.size() > 1 && name.front() == '#') {
      unsigned value = 0;
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
      if (ec == std::errc() && end == digits.data() + digits.size() && value > 0 && value < 128) {
        decoded = static_cast<char>(value);
      }
    }
    if (decoded == 0) {
      out.push_back('&');
      continue;
    }
    out.push_back(decoded);
    i = semi;
  }
  return out;
}

// The first <tag>…</tag> at or after `from`: its text and the offset just past it; `found` is false
// when there is none.
struct Element {
  bool found = false;
  std::string_view text;
  std::size_t end = 0;
};

Element findElement(std::string_view xml, std::string_view tag, std::size_t from = 0) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto start = xml.find(open, from);
  if (start == std::string_view::npos) return {};
  const auto body = start + open.size();
  const auto stop = xml.find(close, body);
  if (stop == std::string_view::npos) return {};
  return {true, xml.substr(body, stop - body), stop + close.size()};
}

Error badListing(std::string_view why) {
  return Error::make(ErrorKind::kInternal, "s3_bad_listing",
                     "S3 answered a listing Kino cannot read: " + std::string(why));
}

}  // namespace

Result<ListPage> parseListPage(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    return badListing("no ListBucketResult");
  }
  ListPage page;
  std::size_t at = 0;
  for (;;) {
    const Element contents = findElement(xml, "Contents", at);
    if (!contents.found) break;
    const Element key = findElement(contents.text, "Key");
    if (!key.found) return badListing("an entry without a Key");
    page.keys.push_back(decodeEntities(key.text));
    at = contents.end;
  }
  const Element truncated = findElement(xml, "IsTruncated");
  page.truncated = truncated.found && truncated.text == "true";
  if (page.truncated) {
    const Element token = findElement(xml, "NextContinuationToken");
    if (!token.found || token.text.empty()) return badListing("truncated without a token");
    page.continuation_token = decodeEntities(token.text);
  }
  return page;
}

S3ErrorBody parseErrorBody(std::string_view xml) {
  S3ErrorBody out;
  const Element error = findElement(xml, "Error");
  if (!error.found) return out;
  if (const Element code = findElement(error.text, "Code"); code.found) {
    out.code = decodeEntities(code.text);
  }
  if (const Element message = findElement(error.text, "Message"); message.found) {
    out.message = decodeEntities(message.text);
  }
  return out;
}

std::string snakeCase(std::string_view code) {
  std::string out;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const auto c = static_cast<unsigned char>(code[i]);
    if (std::isupper(c)) {
      const bool after_lower = i > 0 && (std::islower(static_cast<unsigned char>(code[i - 1])) ||
                                         std::isdigit(static_cast<unsigned char>(code[i - 1])));
      if (after_lower && out.back() != '_') out.push_back('_');
      out.push_back(static_cast<char>(std::tolower(c)));
    } else if (std::isalnum(c)) {
      out.push_back(static_cast<char>(c));
    } else if (!out.empty() && out.back() != '_') {
      out.push_back('_');
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

}  // namespace kino::storage::s3
