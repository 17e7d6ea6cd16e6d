#include "kino/api/app_pages.hpp"

#include <gtest/gtest.h>

namespace kino::api {
namespace {

rooms::RoomView publicRoom() {
  rooms::RoomView v;
  v.room.slug = "abcdefghjk";
  v.room.title = "Film \"night\" <live>";
  v.room.owner_display_name = "Ada & Bo";
  v.room.visibility = "public";
  return v;
}

TEST(PreviewTagsTest, APublicRoomsPreviewHasItsTitleHostLinkAndPosterEscaped) {
  auto v = publicRoom();
  v.room.description = "Popcorn at eight.";
  const auto tags = previewTags(v, "https://kino.example", "/media/a1/poster.jpg");
  EXPECT_NE(tags.find(R"(<meta property="og:title" content="Film &quot;night&quot; &lt;live&gt;" />)"),
            std::string::npos);
  EXPECT_NE(tags.find(R"(<meta property="og:description" content="Hosted by Ada &amp; Bo · Popcorn at eight." />)"),
            std::string::npos);
  EXPECT_NE(tags.find(R"(<meta property="og:url" content="https://kino.example/r/abcdefghjk" />)"),
            std::string::npos);
  EXPECT_NE(tags.find(R"(<meta property="og:image" content="https://kino.example/media/a1/poster.jpg" />)"),
            std::string::npos);
  EXPECT_NE(tags.find(R"(<meta name="twitter:card" content="summary_large_image" />)"), std::string::npos);
  EXPECT_EQ(tags.find("<live>"), std::string::npos);
}

TEST(PreviewTagsTest, WithoutAPosterThereIsNoImageAndALongDescriptionIsCutAtACharacter) {
  auto v = publicRoom();
  v.room.description = std::string(199, 'x') + "ёёё";  // a two-byte letter across byte 200
  const auto tags = previewTags(v, "http://127.0.0.1:8080", "");
  EXPECT_EQ(tags.find("og:image"), std::string::npos);
  EXPECT_NE(tags.find(R"(<meta name="twitter:card" content="summary" />)"), std::string::npos);
  EXPECT_NE(tags.find(std::string(199, 'x') + "…\""), std::string::npos);
}

}  // namespace
}  // namespace kino::api
