package io.github.tsm4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TsmCliTest {

    @Test
    void mainTurnsOffJavacppsPhysicalMemoryCheckUnlessTheUserSetALimit() {
        java.util.Properties none = new java.util.Properties();
        assertTrue(TsmCli.skipPhysicalMemoryChecks(none));
        assertEquals("0", none.getProperty("org.bytedeco.javacpp.maxPhysicalBytes"));
        for (String name : List.of("org.bytedeco.javacpp.maxPhysicalBytes", "org.bytedeco.javacpp.maxphysicalbytes")) {
            java.util.Properties user = new java.util.Properties();
            user.setProperty(name, "8G");
            assertFalse(TsmCli.skipPhysicalMemoryChecks(user), name);
            assertEquals("8G", user.getProperty(name), name);
            assertEquals(1, user.size(), name);
        }
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TsmCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void everyRegisteredCommandHasHelpThatExitsZero() {
        var commands = TsmCli.commandLine().getSubcommands();
        assertTrue(commands.containsKey("stream"), commands.keySet().toString());
        for (var e : commands.entrySet()) {
            String name = e.getKey();
            if (name.equals("help")) {
                continue;
            }
            Run r = run(name, "--help");
            assertEquals(0, r.exit(), name + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: tsm " + name), name + ": " + r.out());
            String[] description = e.getValue().getCommandSpec().usageMessage().description();
            assertTrue(description.length > 0 && !description[0].isBlank(), name + " has no description");
        }
    }

    @Test
    void rootHelpListsTheCommands() {
        Run r = run("--help");
        assertEquals(0, r.exit());
        assertTrue(r.out().contains("stream"), r.out());
    }

    @Test
    void unknownOptionAtTheRootIsAUsageErrorWithOneHint() {
        Run r = run("--bogus");
        assertEquals(2, r.exit());
        assertEquals(List.of("tsm: Unknown option: '--bogus'", "Try 'tsm --help' for usage."), r.err().lines().toList());
    }

    @Test
    void unknownOptionOfACommandPointsToItsHelp() {
        Run r = run("stream", "--bogus", "a.mp4", "-m", "m.zip");
        assertEquals(2, r.exit());
        assertEquals("Try 'tsm stream --help' for usage.", r.err().lines().toList().get(1));
        assertFalse(r.err().contains("  --help"));
    }
}
