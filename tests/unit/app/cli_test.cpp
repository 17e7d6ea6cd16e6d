#include "kino/app/cli.hpp"

#include <gtest/gtest.h>

namespace kino::app {
namespace {

TEST(CliTest, ServeIsTheDefaultAndLaterFlagsWin) {
  auto cl = parseCommandLine({"--listen", "127.0.0.1:0", "--data", "a", "--data=b"});
  ASSERT_TRUE(cl.ok());
  EXPECT_EQ(cl->command, "serve");
  EXPECT_EQ(cl->listen, "127.0.0.1:0");
  EXPECT_EQ(cl->data_dir, "b");
}

TEST(CliTest, CommandsAndErrors) {
  EXPECT_EQ(parseCommandLine({"migrate", "--config", "k.toml"})->config_file, "k.toml");
  EXPECT_EQ(parseCommandLine({"routes", "--config", "k.toml"})->command, "routes");
  EXPECT_EQ(parseCommandLine({"--help"})->command, "help");
  EXPECT_FALSE(parseCommandLine({"explode"}).ok());
  EXPECT_FALSE(parseCommandLine({"serve", "--bogus"}).ok());
  EXPECT_FALSE(parseCommandLine({"serve", "--listen"}).ok());
}

TEST(CliTest, MigrateCopiesWithFromAndToTogether) {
  auto cl = parseCommandLine({"migrate", "--from", "sqlite:var/kino.db", "--to=postgres:dbname=k"});
  ASSERT_TRUE(cl.ok());
  EXPECT_EQ(cl->from, "sqlite:var/kino.db");
  EXPECT_EQ(cl->to, "postgres:dbname=k");
  EXPECT_FALSE(parseCommandLine({"migrate", "--from", "disk:media"}).ok()) << "--to is missing";
  EXPECT_FALSE(parseCommandLine({"serve", "--from", "a", "--to", "b"}).ok()) << "only migrate copies";
  EXPECT_FALSE(parseCommandLine({"migrate", "--to"}).ok());
}

TEST(CliTest, BackupAndRestoreTakeAFolder) {
  auto backup = parseCommandLine({"backup", "/backups/today", "--data", "var"});
  ASSERT_TRUE(backup.ok());
  EXPECT_EQ(backup->command, "backup");
  EXPECT_EQ(backup->folder, "/backups/today");
  EXPECT_EQ(backup->data_dir, "var");
  EXPECT_EQ(parseCommandLine({"restore", "b"})->folder, "b");
  auto missing = parseCommandLine({"restore", "--data", "var"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "restore needs a folder: kino restore DIR");
  EXPECT_FALSE(parseCommandLine({"serve", "b"}).ok()) << "only backup and restore take a folder";
}

}  // namespace
}  // namespace kino::app
