package dev.raftboot.demo;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/**
 * Requests the controller refuses before anything reaches the store or the raft node: each gets a
 * 400 with a message saying what is expected.
 */
class KeyValueControllerBadInputTests {

  // No store or node behind it: a request that got past the checks would fail with a 500.
  private final MockMvc mvc =
      MockMvcBuilders.standaloneSetup(new KeyValueController(null, null, null, Duration.ofSeconds(1)))
          .build();

  @Test
  void putWithoutABody() throws Exception {
    mvc.perform(put("/kv/greeting").contentType(MediaType.TEXT_PLAIN))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.error", containsString("takes the value as its body")));
  }

  @Test
  void compareAndSetWithMalformedJson() throws Exception {
    mvc.perform(post("/kv/greeting/cas").contentType(MediaType.APPLICATION_JSON).content("{\"expected\":"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.error", containsString("{\"expected\": ..., \"value\": ...}")));
  }

  @Test
  void valueLongerThanTheLimit() throws Exception {
    mvc.perform(
            put("/kv/greeting")
                .contentType(MediaType.TEXT_PLAIN)
                .content("x".repeat(KeyValueController.MAX_VALUE_LENGTH + 1)))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.error", containsString("at most")));
  }
}
