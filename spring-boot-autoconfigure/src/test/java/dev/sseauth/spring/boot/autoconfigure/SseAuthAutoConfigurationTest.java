package dev.sseauth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sseauth.IssuedTicket;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SseAuthListener;
import dev.sseauth.SsePrincipal;
import dev.sseauth.Reason;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.testing.RecordingOutput;
import dev.sseauth.testing.Tickets;
import dev.sseauth.micrometer.SseAuthMetrics;
import dev.sseauth.servlet.SseAuthFilter;
import dev.sseauth.testing.TestKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.security.web.DefaultSecurityFilterChain;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Each condition of {@link SseAuthAutoConfiguration}, in a real Spring application context. */
class SseAuthAutoConfigurationTest {
  static final String SECRET = Base64.getEncoder().encodeToString(TestKeys.SECRET);

  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SseAuthAutoConfiguration.class))
      .withPropertyValues("sseauth.token.secret=" + SECRET, "sseauth.paths=/events/**");

  @Test
  void contextWhenSecretAndPathsAreSetThenTheCoreAndTheFilterAreThereAndEveryKeyCounts() {
    web.withPropertyValues("sseauth.ticket.ttl=10s", "sseauth.handshake.retry=2s").run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(SseAuth.class);
      SseAuthConfig config = context.getBean(SseAuth.class).config();
      assertThat(config.ticketTtl()).isEqualTo(Duration.ofSeconds(10)); // not only the secret is read
      assertThat(config.handshakeRetry()).isEqualTo(Duration.ofSeconds(2));
      assertThat(config.guards("/events/feed")).isTrue();
      assertThat(config.guards("/other")).isFalse();
      @SuppressWarnings("unchecked")
      FilterRegistrationBean<SseAuthFilter> r = context.getBean("sseAuthFilter", FilterRegistrationBean.class);
      assertThat(r.getFilter()).isInstanceOf(SseAuthFilter.class);
      assertThat(r.isAsyncSupported()).isTrue();
      assertThat(r.determineDispatcherTypes()).containsExactlyInAnyOrder(DispatcherType.REQUEST, DispatcherType.ASYNC);
      assertThat(r.getOrder()).isEqualTo(-99); // right after Spring Security's filter chain (-100)
    });
  }

  @Test
  void coreWhenTheContextClosesThenItIsClosedAndItsLiveStreamsEnd() {
    AtomicInteger ended = new AtomicInteger();
    SseAuthListener counting = new SseAuthListener() {
      @Override
      public void streamEnded(Reason reason) {
        ended.incrementAndGet();
      }
    };
    web.withBean(SseAuthListener.class, () -> counting).run(context -> {
      SseAuth auth = context.getBean(SseAuth.class);
      Allowed a = (Allowed) Tickets.redeem(auth, Tickets.ticket(auth, "alice"));
      a.open(new RecordingOutput());
      assertThat(auth.liveStreams()).isEqualTo(1);
      context.close();
      assertThat(ended).hasValue(1);
      assertThat(auth.liveStreams()).isZero();
    });
  }

  @Test
  void pathsWhenWrittenAsAYamlListThenEachItemIsGuarded() {
    new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(SseAuthAutoConfiguration.class))
        .withPropertyValues("sseauth.token.secret=" + SECRET, "sseauth.paths[0]=/a/**", "sseauth.paths[1]=/b/*")
        .run(context -> {
          SseAuthConfig config = context.getBean(SseAuth.class).config();
          assertThat(config.paths()).containsExactly("/a/**", "/b/*");
        });
  }

  /** The application's files, a profile's file over them, then what Spring puts above both. */
  private WebApplicationContextRunner sources(Map<String, Object> application, Map<String, Object> profile,
      Map<String, String> environment, Map<String, Object> commandLine) {
    return new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(SseAuthAutoConfiguration.class))
        .withInitializer(context -> {
          MutablePropertySources ps = context.getEnvironment().getPropertySources();
          Map<String, Object> base = new HashMap<>(application);
          base.putIfAbsent("sseauth.token.secret", SECRET);
          ps.addLast(new MapPropertySource("application.yml", base));
          ps.addBefore("application.yml", new MapPropertySource("application-prod.yml", profile));
          ps.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
              StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new HashMap<>(environment)));
          ps.addFirst(new MapPropertySource("commandLineArgs", commandLine));
        });
  }

  @Test
  void listWhenAStrongerSourceSetsItThenItReplacesTheWeakerOnesListWholeNeverMerged() {
    sources(Map.of("sseauth.origins[0]", "https://app.example", "sseauth.origins[1]", "http://localhost:3000",
        "sseauth.paths[0]", "/a/**", "sseauth.paths[1]", "/b/**"),
        Map.of("sseauth.origins[0]", "https://app.example"), Map.of(), Map.of("sseauth.paths", "/c/**"))
        .run(context -> {
          assertThat(context).hasNotFailed();
          SseAuthConfig config = context.getBean(SseAuth.class).config();
          assertThat(config.origins()).containsExactly("https://app.example"); // not localhost from the base file
          assertThat(config.paths()).containsExactly("/c/**");
        });
  }

  @Test
  void valueWhenSetAtSeveralLevelsThenSpringsPrecedenceDecides() {
    sources(Map.of("sseauth.ticket.ttl", "10s", "sseauth.handshake.retry", "3s"), Map.of("sseauth.ticket.ttl", "15s"),
        Map.of("SSEAUTH_TICKET_TTL", "20s", "SSEAUTH_HANDSHAKE_RETRY", "4s"), Map.of("sseauth.ticket.ttl", "25s"))
        .run(context -> {
          SseAuthConfig config = context.getBean(SseAuth.class).config();
          assertThat(config.ticketTtl()).isEqualTo(Duration.ofSeconds(25)); // the command line over everything
          assertThat(config.handshakeRetry()).isEqualTo(Duration.ofSeconds(4)); // a variable over the files
        });
    sources(Map.of("sseauth.ticket.ttl", "10s"), Map.of("sseauth.ticket.ttl", "15s"), Map.of(), Map.of())
        .run(context -> assertThat(context.getBean(SseAuth.class).config().ticketTtl())
            .isEqualTo(Duration.ofSeconds(15))); // the profile over the application's file
  }

  @Test
  void startupWhenAPlaceholderCannotBeResolvedThenItFailsNamingTheKeyButNeverTheValue() {
    web.withPropertyValues("sseauth.token.secret=abc${missing.value}def").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("sseauth.token.secret")
          .message().doesNotContain("abc").doesNotContain("def");
    });
  }

  @Test
  void filterWhenTheApplicationRegistersAnSseAuthFilterOfItsOwnThenOursBacksOff() {
    web.withBean("guard", SseAuthFilter.class, () -> new SseAuthFilter(SseAuth.create(SseAuthConfig.builder()
        .tokenSecret(TestKeys.SECRET).build()))).run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean("sseAuthFilter").doesNotHaveBean("sseAuthStreamFilter");
          assertThat(context.getBeansOfType(FilterRegistrationBean.class)).isEmpty();
        });
  }

  @Test
  void filterWhenSpringSecuritysOrderIsConfiguredThenOursFollowsIt() {
    web.withPropertyValues("spring.security.filter.order=5").run(context -> {
      assertThat(context.getBean("sseAuthStreamFilter", FilterRegistrationBean.class).getOrder()).isEqualTo(4);
      assertThat(context.getBean("sseAuthFilter", FilterRegistrationBean.class).getOrder()).isEqualTo(6);
    });
  }

  @Test
  void startupWhenTheSecretIsMissingThenItFailsNamingTheKey() {
    new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(SseAuthAutoConfiguration.class))
        .withPropertyValues("sseauth.paths=/events/**").run(context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("sseauth.token.secret");
        });
  }

  @Test
  void startupWhenTheSecretIsTooShortThenItFailsNamingTheKeyButNeverTheValue() {
    web.withPropertyValues("sseauth.token.secret=c2hvcnQtc2VjcmV0").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("sseauth.token.secret")
          .message().doesNotContain("c2hvcnQtc2VjcmV0").doesNotContain("short-secret");
      String message = rootMessage(context.getStartupFailure());
      assertThat(message.split(", but ", -1)).as("what is wrong, said once: " + message).hasSizeLessThanOrEqualTo(2);
      assertThat(message).startsWith("sseauth.token.secret must be at least 32");
    });
  }

  @Test
  void startupWhenAKeyIsMisspelledThenItFailsNamingIt() {
    web.withPropertyValues("sseauth.tiket.ttl=10s").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("sseauth.tiket.ttl");
    });
  }

  @Test
  void coreWhenTheApplicationDefinesOneThenOursBacksOffAndTheFilterUsesTheApplications() {
    web.withBean(SseAuth.class, () -> SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET)
        .paths(List.of("/mine/**")).build())).run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(SseAuth.class);
          assertThat(context.getBean(SseAuth.class).config().paths()).containsExactly("/mine/**");
          assertThat(context).hasBean("sseAuthFilter");
        });
  }

  @Test
  void filterWhenNotAServletApplicationThenNotRegistered() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SseAuthAutoConfiguration.class))
        .withPropertyValues("sseauth.token.secret=" + SECRET, "sseauth.paths=/events/**").run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(SseAuth.class).doesNotHaveBean("sseAuthFilter");
        });
  }

  @Test
  void metersWhenMicrometerAndARegistryAreThereThenTheyCountWhatTheCoreDoes() {
    web.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
      assertThat(context).hasSingleBean(SseAuthMetrics.class);
      SseAuth auth = context.getBean(SseAuth.class);
      assertThat(auth.config().listener()).isSameAs(context.getBean(SseAuthListener.class));
      assertThat(auth.issueTicket(SsePrincipal.of("alice")).toCompletableFuture().join())
          .isInstanceOf(IssuedTicket.class);
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertThat(registry.get("sseauth.tickets").tags("outcome", "issued").counter().count()).isEqualTo(1);
    });
  }

  @Test
  void metersWhenMicrometerIsNotOnTheClassPathThenNoListenerAndTheCoreStillStarts() {
    web.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(SseAuth.class).doesNotHaveBean(SseAuthListener.class);
      assertThat(context.getBean(SseAuth.class).config().listener()).isSameAs(SseAuthListener.NONE);
    });
  }

  @Test
  void listenerWhenTheApplicationDefinesOneThenItIsTheCoresAndNoMetersAreAdded() {
    SseAuthListener mine = new SseAuthListener() {};
    web.withBean(MeterRegistry.class, SimpleMeterRegistry::new).withBean(SseAuthListener.class, () -> mine)
        .run(context -> {
          assertThat(context).doesNotHaveBean(SseAuthMetrics.class);
          assertThat(context.getBean(SseAuth.class).config().listener()).isSameAs(mine);
        });
  }

  @Test
  void environmentVariableWhenWrittenInSpringsRelaxedFormThenItSetsItsKey() {
    sources(Map.of(), Map.of(), Map.of("SSEAUTH_TICKET_MAXPERSUBJECT", "7", "SSEAUTH_TICKET_TTL", "12s"), Map.of())
        .run(context -> {
          SseAuthConfig config = context.getBean(SseAuth.class).config();
          assertThat(config.ticketMaxPerSubject()).isEqualTo(7);
          assertThat(config.ticketTtl()).isEqualTo(Duration.ofSeconds(12));
        });
    sources(Map.of(), Map.of(), Map.of("SSEAUTH_TICKET_MAXPERSUBJECTS", "7"), Map.of()).run(context -> {
      assertThat(context).hasFailed();
      assertThat(rootMessage(context.getStartupFailure())).contains("SSEAUTH_TICKET_MAXPERSUBJECTS").doesNotContain("7 ");
    });
  }

  @Test
  void streamFilterWhenAServletApplicationThenItRunsJustBeforeSpringSecurityOnRequestAndAsync() {
    web.run(context -> {
      FilterRegistrationBean<?> r = context.getBean("sseAuthStreamFilter", FilterRegistrationBean.class);
      assertThat(r.getFilter()).isInstanceOf(FrontFilter.class);
      assertThat(r.isAsyncSupported()).isTrue();
      assertThat(r.determineDispatcherTypes()).containsExactlyInAnyOrder(DispatcherType.REQUEST, DispatcherType.ASYNC);
      assertThat(r.getOrder()).isEqualTo(-101);
    });
  }

  @Test
  void storeWhenJdbcWithoutAUrlAndTheApplicationHasADataSourceThenItIsUsed() {
    PGSimpleDataSource pg = new PGSimpleDataSource();
    pg.setUrl("jdbc:postgresql://127.0.0.1:5432/test");
    pg.setUser("postgres");
    web.withBean(DataSource.class, () -> pg).withPropertyValues("sseauth.store=jdbc",
        "sseauth.jdbc.create-schema=true", "sseauth.jdbc.table-prefix=sseauth_ds_").run(context -> {
          assertThat(context).hasNotFailed();
          SseAuth auth = context.getBean(SseAuth.class);
          assertThat(auth.config().store()).isNotNull();
          assertThat(auth.issueTicket(SsePrincipal.of("alice")).toCompletableFuture().join()).isInstanceOf(IssuedTicket.class);
          try (var c = pg.getConnection(); var rs = c.createStatement().executeQuery(
              "select count(*) from sseauth_ds_tickets where subject = 'alice'")) {
            rs.next();
            assertThat(rs.getInt(1)).isPositive(); // on the application's database, with the configured prefix
          }
        });
  }

  @Test
  void storeWhenJdbcWithoutAUrlOrADataSourceThenStartupFailsNamingTheKey() {
    web.withPropertyValues("sseauth.store=jdbc").run(context -> {
      assertThat(context).hasFailed();
      assertThat(rootMessage(context.getStartupFailure())).contains("sseauth.jdbc.url");
    });
  }

  @Test
  void storeWhenRedisWithoutAUriThenSpringsRedisSettingsPointItAndAnOwnUriWins() {
    web.withPropertyValues("sseauth.store=redis", "spring.data.redis.host=127.0.0.1", "spring.data.redis.port=6379",
        "spring.data.redis.database=3").run(context -> {
          assertThat(context).hasNotFailed();
          SseAuth auth = context.getBean(SseAuth.class);
          assertThat(auth.config().storeProperties()).containsEntry("sseauth.redis.uri", "redis://127.0.0.1:6379/3");
          assertThat(auth.issueTicket(SsePrincipal.of("alice")).toCompletableFuture().join()).isInstanceOf(IssuedTicket.class);
        });
    web.withPropertyValues("sseauth.store=redis", "sseauth.redis.uri=redis://127.0.0.1:6379/2",
        "spring.data.redis.url=redis://127.0.0.1:1/0").run(context ->
            assertThat(context.getBean(SseAuth.class).config().storeProperties())
                .containsEntry("sseauth.redis.uri", "redis://127.0.0.1:6379/2"));
    web.withPropertyValues("sseauth.store=redis", "spring.data.redis.port=1", "spring.data.redis.username=app",
        "spring.data.redis.password=hunter2-secret").run(context -> {
          assertThat(context).hasFailed(); // nothing listens there: the store fails at startup, without the password
          Throwable t = context.getStartupFailure();
          for (; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain("hunter2-secret");
          }
        });
  }

  @Test
  void endpointWhenActuatorIsThereThenItReportsAndRevokes() {
    web.run(context -> {
      SseAuthEndpoint endpoint = context.getBean(SseAuthEndpoint.class);
      assertThat(endpoint.streams()).containsEntry("liveStreams", 0).containsEntry("store", "memory");
      assertThat(endpoint.revoke("subject", "CORP\\alice/1").getStatus()).isEqualTo(204);
      assertThat(endpoint.revoke("session", "s1").getStatus()).isEqualTo(204);
      assertThatThrownBy(() -> endpoint.revoke("users", "alice")).isInstanceOf(InvalidEndpointRequestException.class);
      assertThatThrownBy(() -> endpoint.revoke(null, "alice")).isInstanceOf(InvalidEndpointRequestException.class);
    });
    web.withClassLoader(new FilteredClassLoader(Endpoint.class)).run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(SseAuthEndpoint.class));
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  @Test
  void startupWhenASecurityChainSavesItsContextImplicitlyThenItFailsSayingWhy() {
    web.withBean(SecurityFilterChain.class, () -> new DefaultSecurityFilterChain(AnyRequestMatcher.INSTANCE,
        legacyContextFilter())).run(context -> {
          assertThat(context).hasFailed();
          assertThat(rootMessage(context.getStartupFailure())).contains("requireExplicitSave(true)");
        });
    web.withBean(SecurityFilterChain.class, () -> new DefaultSecurityFilterChain(AnyRequestMatcher.INSTANCE,
        new SecurityContextHolderFilter(new HttpSessionSecurityContextRepository())))
        .run(context -> assertThat(context).hasNotFailed());
  }

  @SuppressWarnings("deprecation")
  private static jakarta.servlet.Filter legacyContextFilter() {
    return new org.springframework.security.web.context.SecurityContextPersistenceFilter();
  }

  @Test
  void storeWhenSpringsRedisSettingsNameASentinelOrAClusterThenStartupFailsAskingForTheUri() {
    for (String topology : List.of("spring.data.redis.sentinel.master=mymaster", "spring.data.redis.cluster.nodes=127.0.0.1:7000")) {
      web.withPropertyValues("sseauth.store=redis", "spring.data.redis.password=hunter2-secret", topology).run(context -> {
        assertThat(context).hasFailed();
        assertThat(rootMessage(context.getStartupFailure())).contains("sseauth.redis.uri").doesNotContain("hunter2");
      });
    }
  }

  @Test
  void startupWhenSpringSecuritysOrderLeavesNoRoomThenItFailsNamingTheKey() {
    web.withPropertyValues("spring.security.filter.order=" + Integer.MIN_VALUE).run(context -> {
      assertThat(context).hasFailed();
      assertThat(rootMessage(context.getStartupFailure())).contains("spring.security.filter.order");
    });
  }
}
