package dev.raftboot.demo;

import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.raftboot.spring.testkit.SingleNodeRaft;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * The demo's {@code Idempotency-Key} header on a one-voter cluster: a write repeated with the same
 * key is not applied again and gets the first write's answer; without the key it is applied again.
 */
@SpringBootTest
@SingleNodeRaft
class IdempotencyKeyHeaderTests {

  @Autowired WebApplicationContext context;

  private MockMvc mvc() {
    return MockMvcBuilders.webAppContextSetup(context).build();
  }

  @Test
  void aPutRepeatedWithTheSameKeyGetsTheFirstAnswer() throws Exception {
    MockMvc mvc = mvc();
    for (int i = 0; i < 2; i++) {
      mvc.perform(put("/kv/idem-a").header("Idempotency-Key", "put-a-1").contentType(MediaType.TEXT_PLAIN).content("v1"))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.previous").doesNotExist());
    }
    // The negative control: without a key the repeat is a second write, which sees the first.
    mvc.perform(put("/kv/idem-a").contentType(MediaType.TEXT_PLAIN).content("v1"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.previous").value("v1"));
  }

  @Test
  void aDeleteRepeatedWithTheSameKeyStillSaysDeleted() throws Exception {
    MockMvc mvc = mvc();
    mvc.perform(put("/kv/idem-b").contentType(MediaType.TEXT_PLAIN).content("v")).andExpect(status().isOk());
    for (int i = 0; i < 2; i++) {
      mvc.perform(delete("/kv/idem-b").header("Idempotency-Key", "delete-b-1"))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.deleted").value(true));
    }
    mvc.perform(delete("/kv/idem-b")).andExpect(status().isNotFound());
  }

  @Test
  void aCompareAndSetRepeatedWithTheSameKeyGetsTheFirstAnswer() throws Exception {
    MockMvc mvc = mvc();
    String body = "{\"value\":\"v1\"}";
    for (int i = 0; i < 2; i++) {
      mvc.perform(post("/kv/idem-d/cas").header("Idempotency-Key", "cas-d-1").contentType(MediaType.APPLICATION_JSON).content(body))
          .andExpect(status().isOk())
          .andExpect(jsonPath("$.value").value("v1"));
    }
    // The negative control: without a key the repeat is a second compare-and-set, which fails
    // because the key now holds a value.
    mvc.perform(post("/kv/idem-d/cas").contentType(MediaType.APPLICATION_JSON).content(body))
        .andExpect(status().isConflict());
  }

  @Test
  void aBlankKeyIsRefused() throws Exception {
    mvc()
        .perform(put("/kv/idem-c").header("Idempotency-Key", " ").contentType(MediaType.TEXT_PLAIN).content("v"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.error", containsString("idempotency key")));
  }
}
