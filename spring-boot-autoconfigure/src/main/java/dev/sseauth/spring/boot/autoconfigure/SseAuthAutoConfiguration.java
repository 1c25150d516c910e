package dev.sseauth.spring.boot.autoconfigure;

import dev.sseauth.SseAuth;
import dev.sseauth.SseAuthConfig;
import dev.sseauth.SseAuthListener;
import dev.sseauth.micrometer.SseAuthMetrics;
import dev.sseauth.servlet.SseAuthFilter;
import dev.sseauth.webflux.SseAuthWebFilter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.util.ClassUtils;

/**
 * sse-auth in a Spring Boot application, from its {@code sseauth.*} properties alone:
 *
 * <ul>
 *   <li>the {@link SseAuth} bean, configured from every {@code sseauth.*} key the environment holds
 *       (see {@link SpringProperties}) and closed on shutdown; it backs off if the application defines
 *       its own. With {@code sseauth.store=jdbc} and no {@code sseauth.jdbc.url}, the store uses the
 *       application's {@code DataSource}; with {@code sseauth.store=redis} and no {@code sseauth.redis.uri},
 *       it connects where {@code spring.data.redis.*} points ({@link SpringStores});
 *   <li>in a servlet application, unless the application registers an {@code SseAuthFilter} of its own (as
 *       a bean or in a {@code FilterRegistrationBean}), two filters, async-supported, on REQUEST and ASYNC
 *       dispatches, around Spring Security's filter chain ({@code spring.security.filter.order}, -100 by
 *       default in Boot 3 and 4): {@code sseAuthStreamFilter} just before it judges stream requests, and
 *       hands an allowed one to Spring Security authenticated as its session's principal
 *       ({@link FrontFilter}, {@link SecurityContextBridge}); {@code sseAuthFilter} just after it serves
 *       the ticket endpoint to the principal Spring Security found (session login, HTTP basic, an OAuth2
 *       resource server's JWT), under the application's own rules, CSRF protection included;
 *   <li>in a reactive (WebFlux) application, unless the application defines an {@code SseAuthWebFilter}
 *       bean of its own, two {@code WebFilter}s around Spring Security's {@code WebFilterChainProxy} (order
 *       -100): {@code sseAuthStreamWebFilter} just before it judges stream requests, and hands an allowed
 *       one to Spring Security authenticated as its session's principal, in the Reactor context
 *       ({@link ReactiveFrontFilter}, {@link ReactiveSecurityContextBridge}); {@code sseAuthWebFilter} just
 *       after it serves the ticket endpoint to the principal Spring Security found, under the
 *       application's own rules, CSRF protection included;
 *   <li>with Micrometer and a {@code MeterRegistry} bean, the meters of {@link SseAuthMetrics}: the
 *       {@link SseAuthListener} bean {@code sseAuthMetrics}, unless the application defines a listener;
 *   <li>with Spring Boot Actuator, the endpoint {@code sseauth} ({@link SseAuthEndpoint}).
 * </ul>
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration", // Boot 4
    "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration"}) // Boot 3
@ConditionalOnClass(SseAuth.class)
public class SseAuthAutoConfiguration {
  /** Spring Security's filter chain's order unless {@code spring.security.filter.order} says otherwise. */
  static final int SECURITY_FILTER_ORDER = -100;

  /**
   * The core, from the environment's {@code sseauth.*} settings.
   *
   * @throws IllegalArgumentException naming the key, on a missing, unknown or bad setting: startup fails
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public SseAuth sseAuth(ConfigurableEnvironment environment, ObjectProvider<SseAuthListener> listener,
      ObjectProvider<DataSource> dataSource) {
    Map<String, String> settings = SpringProperties.read(environment);
    SpringStores.redisFromSpring(settings, environment);
    SseAuthConfig.Builder b = SseAuthConfig.fromMap(settings).toBuilder();
    SpringStores.jdbcOnDataSource(b.build(), dataSource::getIfUnique).ifPresent(b::store);
    SseAuthListener l = listener.getIfUnique();
    if (l != null) {
      b.listener(l);
    }
    return SseAuth.create(b.build());
  }

  /** The filters, in a servlet application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(SseAuthFilter.class)
  @ConditionalOnMissingBean(value = SseAuthFilter.class, parameterizedContainer = FilterRegistrationBean.class)
  static class ServletConfiguration {
    @Bean
    FilterRegistrationBean<FrontFilter> sseAuthStreamFilter(SseAuth sseAuth, ConfigurableEnvironment environment) {
      Consumer<HttpServletRequest> onAllowed = ClassUtils.isPresent(
          "org.springframework.security.web.context.RequestAttributeSecurityContextRepository",
          SseAuthAutoConfiguration.class.getClassLoader()) ? SecurityContextBridge::authenticate : request -> { };
      return register(new FrontFilter(sseAuth, onAllowed), "sseAuthStreamFilter", securityOrder(environment) - 1);
    }

    @Bean
    FilterRegistrationBean<SseAuthFilter> sseAuthFilter(SseAuth sseAuth, ConfigurableEnvironment environment) {
      return register(new SseAuthFilter(sseAuth), "sseAuthFilter", securityOrder(environment) + 1);
    }

    /** Spring Security's order; room for a filter on each side of it. */
    private static int securityOrder(ConfigurableEnvironment environment) {
      int order = environment.getProperty("spring.security.filter.order", Integer.class, SECURITY_FILTER_ORDER);
      if (order == Integer.MIN_VALUE || order == Integer.MAX_VALUE) {
        throw new IllegalArgumentException("spring.security.filter.order must leave room for sse-auth's filters "
            + "before and after it: use a value between Integer.MIN_VALUE and Integer.MAX_VALUE, exclusive");
      }
      return order;
    }

    /** On every path: the filters guard only sseauth.paths and serve only the ticket path and the script. */
    private static <F extends jakarta.servlet.Filter> FilterRegistrationBean<F> register(F filter, String name, int order) {
      FilterRegistrationBean<F> r = new FilterRegistrationBean<>(filter);
      r.setName(name);
      r.setAsyncSupported(true);
      r.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
      r.setOrder(order);
      return r;
    }
  }

  /** The filters, in a reactive (WebFlux) application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
  @ConditionalOnClass(SseAuthWebFilter.class)
  @ConditionalOnMissingBean(SseAuthWebFilter.class)
  static class ReactiveConfiguration {
    /** Spring Security's {@code WebFilterChainProxy}'s order ({@code WebFluxSecurityConfiguration}); not configurable. */
    static final int SECURITY_WEB_FILTER_ORDER = -100;

    @Bean
    ReactiveFrontFilter sseAuthStreamWebFilter(SseAuth sseAuth, ResourceLoader loader) {
      return new ReactiveFrontFilter(sseAuth, springSecurity(loader) ? ReactiveSecurityContextBridge::authenticated
          : (exchange, chain) -> chain.filter(exchange), SECURITY_WEB_FILTER_ORDER - 1);
    }

    /**
     * Tickets for a bearer JWT if {@code sseauth.bearer.*} is set, else for the exchange's principal: the one
     * Spring Security's chain found (its anonymous user is none), as the servlet side's {@code sseAuthFilter}.
     */
    @Bean
    @Order(SECURITY_WEB_FILTER_ORDER + 1)
    SseAuthWebFilter sseAuthWebFilter(SseAuth sseAuth) {
      return new SseAuthWebFilter(sseAuth);
    }

    /** Whether Spring Security's reactive web support is there (the application's class loader). */
    private static boolean springSecurity(ResourceLoader loader) {
      ClassLoader cl = loader.getClassLoader();
      return ClassUtils.isPresent("org.springframework.security.web.server.WebFilterChainProxy", cl)
          && ClassUtils.isPresent("org.springframework.security.core.context.ReactiveSecurityContextHolder", cl);
    }
  }

  /** With Spring Security: a chain that would save a stream's authentication into the session stops startup. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "org.springframework.security.web.SecurityFilterChain")
  @ConditionalOnMissingBean(value = SseAuthFilter.class, parameterizedContainer = FilterRegistrationBean.class)
  static class SpringSecurityConfiguration {
    @Bean
    static SmartInitializingSingleton sseAuthSecurityCheck(ObjectProvider<SecurityFilterChain> chains) {
      return () -> chains.orderedStream().forEach(SecurityContextBridge::check);
    }
  }

  /** The meters, with Micrometer. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry", "dev.sseauth.micrometer.SseAuthMetrics"})
  static class MetricsConfiguration {
    @Bean
    @ConditionalOnMissingBean(SseAuthListener.class)
    SseAuthListener sseAuthMetrics(ObjectProvider<MeterRegistry> registry) {
      MeterRegistry r = registry.getIfUnique();
      return r == null ? SseAuthListener.NONE : new SseAuthMetrics(r);
    }
  }

  /** The Actuator endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    SseAuthEndpoint sseAuthEndpoint(SseAuth sseAuth) {
      return new SseAuthEndpoint(sseAuth);
    }
  }
}
