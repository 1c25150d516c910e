package dev.sseauth.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.sseauth.SessionInfo;
import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SseAuthListener;
import dev.sseauth.SsePrincipal;
import dev.sseauth.adapter.Allowed;
import dev.sseauth.micrometer.SseAuthMetrics;
import dev.sseauth.servlet.SseAuthFilter;
import dev.sseauth.testing.TestKeys;
import dev.sseauth.testing.Tickets;
import dev.sseauth.testing.fixtures.MiniJson;
import dev.sseauth.webflux.SseAuthWebFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableReactiveWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Each condition of {@link SseAuthAutoConfiguration}'s reactive part, in a real reactive application
 * context, and what its filters hand on: the filters in a WebFlux application only, around Spring
 * Security's {@code WebFilterChainProxy}; backing off; with and without Spring Security.
 */
class ReactiveAutoConfigurationTest {
  private static final String SECRET = SseAuthAutoConfigurationTest.SECRET;
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SseAuthAutoConfiguration.class))
      .withPropertyValues("sseauth.token.secret=" + SECRET, "sseauth.paths=/events/**");

  /** Spring Security's reactive configuration, as {@code @EnableWebFluxSecurity} makes it, with one user. */
  @Configuration(proxyBeanMethods = false)
  @EnableWebFluxSecurity
  static class WebFluxSecurity {
    @Bean
    MapReactiveUserDetailsService users() {
      return new MapReactiveUserDetailsService(User.withUsername("alice").password("{noop}alice-pw").roles("USER").build());
    }
  }

  /** An application's own filters, one well before Spring Security, one after it. */
  @Configuration(proxyBeanMethods = false)
  static class ApplicationFilters {
    @Bean
    @Order(-200)
    WebFilter early() {
      return (exchange, chain) -> chain.filter(exchange);
    }

    @Bean
    @Order(0)
    WebFilter late() {
      return (exchange, chain) -> chain.filter(exchange);
    }
  }

  @Test
  void filtersWhenAReactiveApplicationWithSpringSecurityThenOneRunsJustBeforeItsChainAndOneJustAfter() {
    reactive.withUserConfiguration(WebFluxSecurity.class, ApplicationFilters.class).run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(ReactiveFrontFilter.class).hasSingleBean(SseAuthWebFilter.class);
      assertThat(context.getBean("sseAuthStreamWebFilter", ReactiveFrontFilter.class).getOrder()).isEqualTo(-101);
      // the application's WebFilters as WebFlux's WebHttpHandlerBuilder orders them
      List<WebFilter> filters = context.getBeanProvider(WebFilter.class).orderedStream().toList();
      assertThat(filters).containsExactly(context.getBean("early", WebFilter.class),
          context.getBean("sseAuthStreamWebFilter", WebFilter.class), context.getBean(WebFilterChainProxy.class),
          context.getBean("sseAuthWebFilter", WebFilter.class), context.getBean("late", WebFilter.class));
      assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
    });
  }

  @Test
  void filtersWhenAServletApplicationThenOnlyTheServletOnesAreThere() {
    new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(SseAuthAutoConfiguration.class))
        .withPropertyValues("sseauth.token.secret=" + SECRET, "sseauth.paths=/events/**").run(context -> {
          assertThat(context).hasNotFailed().hasBean("sseAuthFilter").hasBean("sseAuthStreamFilter");
          assertThat(context).doesNotHaveBean(ReactiveFrontFilter.class).doesNotHaveBean(SseAuthWebFilter.class)
              .doesNotHaveBean("sseAuthWebFilter").doesNotHaveBean("sseAuthStreamWebFilter");
        });
    reactive.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(FilterRegistrationBean.class)
        .doesNotHaveBean(SseAuthFilter.class).doesNotHaveBean("sseAuthFilter").doesNotHaveBean("sseAuthStreamFilter"));
  }

  @Test
  void filtersWhenNotAWebApplicationThenNeither() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SseAuthAutoConfiguration.class))
        .withPropertyValues("sseauth.token.secret=" + SECRET, "sseauth.paths=/events/**").run(context ->
            assertThat(context).hasNotFailed().hasSingleBean(SseAuth.class).doesNotHaveBean(WebFilter.class)
                .doesNotHaveBean(FilterRegistrationBean.class));
  }

  @Test
  void filtersWhenTheApplicationDefinesAnSseAuthWebFilterOfItsOwnThenOursBackOff() {
    reactive.withBean("guard", SseAuthWebFilter.class, () -> new SseAuthWebFilter(SseAuth.create(SseAuthConfig.builder()
        .tokenSecret(TestKeys.SECRET).build()))).run(context -> {
          assertThat(context).hasNotFailed().doesNotHaveBean(ReactiveFrontFilter.class)
              .doesNotHaveBean("sseAuthWebFilter").doesNotHaveBean("sseAuthStreamWebFilter");
          assertThat(context.getBeansOfType(SseAuthWebFilter.class)).containsOnlyKeys("guard");
        });
  }

  @Test
  void coreWhenTheApplicationDefinesOneThenTheFiltersUseIt() {
    reactive.withBean(SseAuth.class, () -> SseAuth.create(SseAuthConfig.builder().tokenSecret(TestKeys.SECRET)
        .paths(List.of("/mine/**")).build())).run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(SseAuth.class).hasBean("sseAuthWebFilter");
          SseAuth auth = context.getBean(SseAuth.class);
          String ticket = Tickets.ticket(auth, "alice");
          AtomicReference<ServerWebExchange> passed = new AtomicReference<>();
          front(context).filter(MockServerWebExchange.from(MockServerHttpRequest.get("/mine/feed?slt=" + ticket)),
              exchange -> Mono.fromRunnable(() -> passed.set(exchange))).block(WAIT);
          assertThat(passed.get()).isNotNull(); // the application's core allowed it
          assertThat(passed.get().<SessionInfo>getAttribute(SseAuthWebFilter.SESSION_ATTRIBUTE)).isNotNull();
        });
  }

  @Test
  void filtersWhenTheWebFluxAdapterIsNotOnTheClassPathThenNoneAndTheCoreStillStarts() {
    reactive.withClassLoader(new FilteredClassLoader(SseAuthWebFilter.class)).run(context ->
        assertThat(context).hasNotFailed().hasSingleBean(SseAuth.class).doesNotHaveBean("sseAuthWebFilter")
            .doesNotHaveBean("sseAuthStreamWebFilter"));
  }

  @Test
  void filtersWhenTheServletApiIsNotOnTheClassPathThenTheReactiveOnesStillStart() {
    // a WebFlux application has no servlet API; the starter brings the servlet adapter all the same
    reactive.withClassLoader(new FilteredClassLoader("jakarta.servlet.", "org.springframework.boot.web.servlet."))
        .run(context -> assertThat(context).hasNotFailed().hasBean("sseAuthWebFilter").hasBean("sseAuthStreamWebFilter"));
  }

  @Test
  void streamWhenAllowedThenTheChainRunsAuthenticatedAsItsSessionInTheReactorContext() {
    reactive.withUserConfiguration(WebFluxSecurity.class).run(context -> {
      SseAuth auth = context.getBean(SseAuth.class);
      String ticket = Tickets.ticket(auth, "alice");
      AtomicReference<Authentication> seen = new AtomicReference<>();
      AtomicReference<ServerWebExchange> passed = new AtomicReference<>();
      front(context).filter(MockServerWebExchange.from(MockServerHttpRequest.get("/events/feed?slt=" + ticket + "&x=1")),
          exchange -> ReactiveSecurityContextHolder.getContext().map(SecurityContext::getAuthentication)
              .doOnNext(seen::set).doOnSubscribe(s -> passed.set(exchange)).then()).block(WAIT);
      assertThat(passed.get().getRequest().getURI().getRawQuery()).isEqualTo("x=1"); // the ticket is gone
      SessionInfo session = passed.get().getAttribute(SseAuthWebFilter.SESSION_ATTRIBUTE);
      assertThat(seen.get()).isInstanceOf(PreAuthenticatedAuthenticationToken.class);
      Authentication a = seen.get();
      assertThat(a.isAuthenticated()).isTrue();
      assertThat(a.getPrincipal()).isEqualTo(SsePrincipal.of("alice"));
      assertThat(a.getName()).isEqualTo("alice");
      assertThat(a.getDetails()).isSameAs(session);
      assertThat(a.getCredentials()).isNull();
      assertThat(a.getAuthorities()).isEmpty();

      // a request it does not guard passes on as it came, with no security context of sse-auth's
      AtomicBoolean securityContext = new AtomicBoolean(true);
      front(context).filter(MockServerWebExchange.from(MockServerHttpRequest.get("/other")),
          exchange -> Mono.deferContextual(c -> Mono.fromRunnable(() -> securityContext.set(c.hasKey(SecurityContext.class)))))
          .block(WAIT);
      assertThat(securityContext).isFalse();
    });
  }

  @Test
  void streamWhenSpringSecurityIsNotOnTheClassPathThenTheChainSeesTheSessionsPrincipalOnly() {
    reactive.withClassLoader(new FilteredClassLoader("org.springframework.security.")).run(context -> {
      assertThat(context).hasNotFailed();
      String ticket = Tickets.ticket(context.getBean(SseAuth.class), "alice");
      AtomicReference<Principal> principal = new AtomicReference<>();
      AtomicBoolean security = new AtomicBoolean(true);
      front(context).filter(MockServerWebExchange.from(MockServerHttpRequest.get("/events/feed?slt=" + ticket)),
          exchange -> Mono.deferContextual(c -> {
            security.set(c.hasKey(SecurityContext.class));
            return exchange.getPrincipal().doOnNext(principal::set).then();
          })).block(WAIT);
      assertThat(principal.get()).isEqualTo(SsePrincipal.of("alice"));
      assertThat(security).isFalse();
    });
  }

  @Test
  void scriptAndRefusalsWhenAskedThenTheFrontFilterAnswersAndPreflightsPassOn() {
    reactive.run(context -> {
      MockServerWebExchange script = MockServerWebExchange.from(MockServerHttpRequest.get("/sse-auth.js"));
      front(context).filter(script, e -> Mono.error(new AssertionError("the script is the front filter's"))).block(WAIT);
      assertThat(script.getResponse().getStatusCode().value()).isEqualTo(200);
      assertThat(script.getResponse().getHeaders().getFirst("Content-Type")).startsWith("text/javascript");
      assertThat(script.getResponse().getBodyAsString().block(WAIT)).contains("SseAuth");

      MockServerWebExchange refused = MockServerWebExchange.from(MockServerHttpRequest.get("/events/feed"));
      front(context).filter(refused, e -> Mono.error(new AssertionError("a refused stream never passes"))).block(WAIT);
      assertThat(refused.getResponse().getStatusCode().value()).isEqualTo(401);

      AtomicBoolean passed = new AtomicBoolean();
      MockServerWebExchange preflight = MockServerWebExchange.from(MockServerHttpRequest.options("/events/feed")
          .header("Origin", "https://partner.example").header("Access-Control-Request-Method", "GET"));
      front(context).filter(preflight, e -> Mono.fromRunnable(() -> passed.set(true))).block(WAIT);
      assertThat(passed).isTrue();

      AtomicBoolean ticketPassed = new AtomicBoolean();
      front(context).filter(MockServerWebExchange.from(MockServerHttpRequest.post("/sse/ticket")),
          e -> Mono.fromRunnable(() -> ticketPassed.set(true))).block(WAIT);
      assertThat(ticketPassed).as("the ticket path is the filter's behind Spring Security").isTrue();
    });
  }

  @Test
  void ticketWhenTheCallerIsAnonymousThenNoTicketAndWhenAuthenticatedItsOwn() {
    reactive.withUserConfiguration(WebFluxSecurity.class).run(context -> {
      SseAuthWebFilter tickets = context.getBean("sseAuthWebFilter", SseAuthWebFilter.class);
      // a chain with anonymous() and the ticket path open to all: anonymousUser gets no ticket
      ServerWebExchange anonymous = ticketRequest(new AnonymousAuthenticationToken("key", "anonymousUser",
          AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS")));
      tickets.filter(anonymous, neverCalled()).block(WAIT);
      assertThat(status(anonymous)).isEqualTo(401);
      assertThat(body(anonymous)).doesNotContain("\"ticket\"");

      ServerWebExchange alice = ticketRequest(UsernamePasswordAuthenticationToken.authenticated("alice", null,
          AuthorityUtils.createAuthorityList("ROLE_USER")));
      tickets.filter(alice, neverCalled()).block(WAIT);
      assertThat(status(alice)).isEqualTo(200);
      String ticket = (String) MiniJson.object(body(alice)).get("ticket");
      Allowed redeemed = (Allowed) Tickets.redeem(context.getBean(SseAuth.class), ticket);
      assertThat(redeemed.session().principal().subject()).isEqualTo("alice");
    });
  }

  @Test
  void ticketWhenBearerVerificationIsConfiguredThenTheBearerJwtsSubjectGetsItNotTheLogin() throws Exception {
    String key = "the application's bearer key of 256 bits!";
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject("bob")
        .expirationTime(new Date(System.currentTimeMillis() + 600_000)).build());
    jwt.sign(new MACSigner(key.getBytes(StandardCharsets.UTF_8)));
    reactive.withPropertyValues("sseauth.bearer.secret=" + key).run(context -> {
      SseAuthWebFilter tickets = context.getBean("sseAuthWebFilter", SseAuthWebFilter.class);
      ServerWebExchange loginOnly = ticketRequest(UsernamePasswordAuthenticationToken.authenticated("alice", null,
          AuthorityUtils.createAuthorityList("ROLE_USER")));
      tickets.filter(loginOnly, neverCalled()).block(WAIT);
      assertThat(status(loginOnly)).isEqualTo(401);

      MockServerWebExchange bearer = MockServerWebExchange.from(MockServerHttpRequest.post("/sse/ticket")
          .header("Authorization", "Bearer " + jwt.serialize()));
      tickets.filter(bearer, neverCalled()).block(WAIT);
      assertThat(bearer.getResponse().getStatusCode().value()).isEqualTo(200);
      String ticket = (String) MiniJson.object(bearer.getResponse().getBodyAsString().block(WAIT)).get("ticket");
      Allowed redeemed = (Allowed) Tickets.redeem(context.getBean(SseAuth.class), ticket);
      assertThat(redeemed.session().principal().subject()).isEqualTo("bob");
    });
  }

  @Test
  void endpointAndMetersWhenAReactiveApplicationThenTheyAreThereAsInAServletOne() {
    reactive.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
      assertThat(context).hasSingleBean(SseAuthEndpoint.class).hasSingleBean(SseAuthMetrics.class);
      SseAuth auth = context.getBean(SseAuth.class);
      assertThat(auth.config().listener()).isSameAs(context.getBean(SseAuthListener.class));
      Tickets.ticket(auth, "alice");
      assertThat(context.getBean(MeterRegistry.class).get("sseauth.tickets").tags("outcome", "issued").counter().count())
          .isEqualTo(1);
      assertThat(context.getBean(SseAuthEndpoint.class).streams()).containsEntry("liveStreams", 0);
    });
  }

  // ---

  private static ReactiveFrontFilter front(AssertableReactiveWebApplicationContext context) {
    return context.getBean("sseAuthStreamWebFilter", ReactiveFrontFilter.class);
  }

  /** A ticket request whose exchange principal is {@code caller}, as Spring Security's chain hands it on. */
  private static ServerWebExchange ticketRequest(Authentication caller) {
    return MockServerWebExchange.from(MockServerHttpRequest.post("/sse/ticket")).mutate()
        .principal(Mono.just(caller)).build();
  }

  private static int status(ServerWebExchange exchange) {
    return exchange.getResponse().getStatusCode().value();
  }

  private static String body(ServerWebExchange exchange) {
    return ((MockServerHttpResponse) exchange.getResponse()).getBodyAsString().block(WAIT);
  }

  private static WebFilterChain neverCalled() {
    return exchange -> Mono.error(new AssertionError("the ticket endpoint answers itself"));
  }
}
